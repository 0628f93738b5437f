CREATE TABLE "meter_public_keys" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"public_key" text NOT NULL,
	"curve" text NOT NULL,
	"signing_method" text NOT NULL,
	"registered_by" text NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "meter_public_keys_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "session_records" ADD COLUMN "signature_verdict" text;