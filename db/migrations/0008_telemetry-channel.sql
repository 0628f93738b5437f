DROP INDEX "telemetry_tenant_id_device_id_at_index";--> statement-breakpoint
ALTER TABLE "telemetry" ADD COLUMN "channel" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "telemetry_sample_key" ON "telemetry" USING btree ("tenant_id","device_id","channel","at");