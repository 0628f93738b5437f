CREATE TABLE "fault_fingerprint_devices" (
	"tenant_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"device_id" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "fault_fingerprint_devices_tenant_id_fingerprint_device_id_pk" PRIMARY KEY("tenant_id","fingerprint","device_id")
);
--> statement-breakpoint
CREATE TABLE "fault_fingerprints" (
	"tenant_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"error_code" text NOT NULL,
	"vendor_code" text,
	"firmware" text,
	"model" text,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	"devices_affected" integer NOT NULL,
	"status" text NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"resolved_in_firmware" text,
	"regressed_at" timestamp with time zone,
	CONSTRAINT "fault_fingerprints_tenant_id_fingerprint_pk" PRIMARY KEY("tenant_id","fingerprint")
);
--> statement-breakpoint
CREATE TABLE "rollout_health_checks" (
	"tenant_id" text NOT NULL,
	"rollout_id" text NOT NULL,
	"wave" integer NOT NULL,
	"status" text NOT NULL,
	"bake_from" timestamp with time zone NOT NULL,
	"bake_until" timestamp with time zone NOT NULL,
	"judged_at" timestamp with time zone,
	"reason" text,
	"evidence" jsonb,
	CONSTRAINT "rollout_health_checks_tenant_id_rollout_id_wave_pk" PRIMARY KEY("tenant_id","rollout_id","wave")
);
--> statement-breakpoint
CREATE INDEX "fault_fingerprint_devices_by_device" ON "fault_fingerprint_devices" USING btree ("tenant_id","device_id","last_seen");--> statement-breakpoint
CREATE INDEX "fault_fingerprints_by_status" ON "fault_fingerprints" USING btree ("tenant_id","status","last_seen");--> statement-breakpoint
CREATE INDEX "fault_fingerprints_by_fault" ON "fault_fingerprints" USING btree ("tenant_id","error_code","model");