ALTER TABLE "device_twins" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "device_twins_tags_index" ON "device_twins" USING gin ("tags");