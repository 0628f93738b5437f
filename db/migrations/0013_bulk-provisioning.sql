CREATE TABLE "bulk_provisioning_rows" (
	"tenant_id" text NOT NULL,
	"bulk_id" text NOT NULL,
	"position" integer NOT NULL,
	"line" integer NOT NULL,
	"serial" text NOT NULL,
	"method" text NOT NULL,
	"request" jsonb NOT NULL,
	"secret_hash" text,
	"status" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulk_provisioning_rows_tenant_id_bulk_id_position_pk" PRIMARY KEY("tenant_id","bulk_id","position")
);
--> statement-breakpoint
CREATE TABLE "bulk_provisionings" (
	"tenant_id" text NOT NULL,
	"bulk_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulk_provisionings_tenant_id_bulk_id_pk" PRIMARY KEY("tenant_id","bulk_id")
);
--> statement-breakpoint
CREATE INDEX "bulk_provisioning_rows_tenant_id_bulk_id_status_position_index" ON "bulk_provisioning_rows" USING btree ("tenant_id","bulk_id","status","position");