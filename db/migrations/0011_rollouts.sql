CREATE TABLE "rollout_devices" (
	"tenant_id" text NOT NULL,
	"rollout_id" text NOT NULL,
	"device_id" text NOT NULL,
	"position" integer NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"detail" text,
	"commanded_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollout_devices_tenant_id_rollout_id_device_id_pk" PRIMARY KEY("tenant_id","rollout_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"tenant_id" text NOT NULL,
	"rollout_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"config" jsonb NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollouts_tenant_id_rollout_id_pk" PRIMARY KEY("tenant_id","rollout_id")
);
--> statement-breakpoint
CREATE INDEX "rollout_devices_tenant_id_rollout_id_position_index" ON "rollout_devices" USING btree ("tenant_id","rollout_id","position");