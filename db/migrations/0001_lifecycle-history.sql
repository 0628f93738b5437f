CREATE TABLE "device_lifecycle_history" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"version" bigint NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"replaced_by" text,
	"effects" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "device_lifecycle_history_tenant_id_device_id_version_pk" PRIMARY KEY("tenant_id","device_id","version")
);
