ALTER TABLE "device_twins" ADD COLUMN "asset_id" text;--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "site_id" text;--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "customer_id" text;--> statement-breakpoint
CREATE INDEX "device_twins_tenant_id_asset_id_index" ON "device_twins" USING btree ("tenant_id","asset_id");--> statement-breakpoint
CREATE INDEX "device_twins_tenant_id_site_id_index" ON "device_twins" USING btree ("tenant_id","site_id");