CREATE TABLE "telemetry" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"values" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "telemetry_tenant_id_device_id_at_index" ON "telemetry" USING btree ("tenant_id","device_id","at");