ALTER TABLE "asset_bindings" ADD COLUMN "bound_by" text;--> statement-breakpoint
ALTER TABLE "asset_bindings" ADD COLUMN "bound_reason" text;--> statement-breakpoint
ALTER TABLE "asset_bindings" ADD COLUMN "unbound_by" text;--> statement-breakpoint
ALTER TABLE "asset_bindings" ADD COLUMN "unbound_reason" text;--> statement-breakpoint
CREATE INDEX "device_twins_id_prefix_index" ON "device_twins" USING btree ("tenant_id","device_id" text_pattern_ops);