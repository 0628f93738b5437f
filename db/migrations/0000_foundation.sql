CREATE TABLE "device_twins" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"lifecycle" text NOT NULL,
	"connectivity" text NOT NULL,
	"offline_reason" text,
	"connectivity_since" timestamp with time zone,
	"model" text,
	"firmware" text,
	"reported" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" jsonb NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "device_twins_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "device_credentials" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"secret_hash" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_credentials_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"version" bigint NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "device_twins_tenant_id_lifecycle_index" ON "device_twins" USING btree ("tenant_id","lifecycle");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_aggregate_type_tenant_id_aggregate_id_version_index" ON "outbox" USING btree ("aggregate_type","tenant_id","aggregate_id","version");--> statement-breakpoint
CREATE INDEX "outbox_tenant_id_id_index" ON "outbox" USING btree ("tenant_id","id");