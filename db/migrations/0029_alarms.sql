CREATE TABLE "alarm_comments" (
	"comment_id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"alarm_id" bigint NOT NULL,
	"author" text NOT NULL,
	"text" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarm_rule_versions" (
	"tenant_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"version" bigint NOT NULL,
	"definition" jsonb,
	"changed_by" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "alarm_rule_versions_tenant_id_rule_id_version_pk" PRIMARY KEY("tenant_id","rule_id","version")
);
--> statement-breakpoint
CREATE TABLE "alarm_rules" (
	"tenant_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"version" bigint NOT NULL,
	"definition" jsonb NOT NULL,
	"enabled" boolean NOT NULL,
	"device_profile" text,
	"asset_type" text,
	"site_id" text,
	"deleted" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alarm_rules_tenant_id_rule_id_pk" PRIMARY KEY("tenant_id","rule_id")
);
--> statement-breakpoint
CREATE TABLE "alarm_states" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"state" jsonb NOT NULL,
	"fields" jsonb NOT NULL,
	CONSTRAINT "alarm_states_tenant_id_device_id_rule_id_pk" PRIMARY KEY("tenant_id","device_id","rule_id")
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"alarm_id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" bigint NOT NULL,
	"alarm_type" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"acknowledged" boolean DEFAULT false NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"assignee" text,
	"muted" boolean DEFAULT false NOT NULL,
	"asset_id" text,
	"site_id" text,
	"customer_id" text,
	"raised_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone,
	"cleared_by" text,
	"details" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alarm_comments_by_alarm" ON "alarm_comments" USING btree ("tenant_id","alarm_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "alarms_one_active" ON "alarms" USING btree ("tenant_id","device_id","rule_id") WHERE "alarms"."status" = 'active';--> statement-breakpoint
CREATE INDEX "alarms_by_status" ON "alarms" USING btree ("tenant_id","status","severity");--> statement-breakpoint
CREATE INDEX "alarms_by_device" ON "alarms" USING btree ("tenant_id","device_id","raised_at");