CREATE TABLE "alarm_event_versions" (
	"tenant_id" text NOT NULL,
	"alarm_id" bigint NOT NULL,
	"version" bigint NOT NULL,
	CONSTRAINT "alarm_event_versions_tenant_id_alarm_id_pk" PRIMARY KEY("tenant_id","alarm_id")
);
--> statement-breakpoint
CREATE TABLE "alarm_notification_cursor" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"outbox_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarm_notifications" (
	"notification_id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"alarm_id" bigint NOT NULL,
	"transition" text NOT NULL,
	"event" jsonb NOT NULL,
	"status" text NOT NULL,
	"digest_key" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"version" bigint NOT NULL,
	"definition" jsonb NOT NULL,
	"secret" text,
	"digest_at" timestamp with time zone,
	"deleted" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "notification_channels_tenant_id_channel_id_pk" PRIMARY KEY("tenant_id","channel_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alarm_notifications_once" ON "alarm_notifications" USING btree ("tenant_id","channel_id","alarm_id","transition");--> statement-breakpoint
CREATE INDEX "alarm_notifications_due" ON "alarm_notifications" USING btree ("status","next_attempt_at");