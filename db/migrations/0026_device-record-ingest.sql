CREATE TABLE "device_sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"gateway_node" text NOT NULL,
	"protocol" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"close_reason" text
);
--> statement-breakpoint
CREATE TABLE "twin_notices" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"version" bigint NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	CONSTRAINT "twin_notices_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "gateway_node" text;--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "session_id" text;--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "offline_deadline" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "device_twins" ADD COLUMN "last_commit" jsonb;--> statement-breakpoint
CREATE INDEX "device_sessions_tenant_id_device_id_opened_at_index" ON "device_sessions" USING btree ("tenant_id","device_id","opened_at");--> statement-breakpoint
CREATE INDEX "twin_notices_since_index" ON "twin_notices" USING btree ("since");--> statement-breakpoint
CREATE INDEX "device_twins_gateway_node_index" ON "device_twins" USING btree ("gateway_node") WHERE "device_twins"."gateway_node" is not null;--> statement-breakpoint
CREATE INDEX "device_twins_offline_deadline_index" ON "device_twins" USING btree ("offline_deadline") WHERE "device_twins"."offline_deadline" is not null;--> statement-breakpoint
UPDATE "device_twins" SET
  "gateway_node" = "state"->'connectivity'->>'gatewayNode',
  "session_id" = "state"->'connectivity'->>'sessionId',
  "offline_deadline" = ("state"->'connectivity'->'pendingOffline'->>'deadline')::timestamptz;
