CREATE TABLE "site_load_limits" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"unit" text NOT NULL,
	"value" double precision NOT NULL,
	"phases" integer,
	"policy" jsonb NOT NULL,
	"release_delay_ms" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_load_limits_tenant_id_site_id_pk" PRIMARY KEY("tenant_id","site_id")
);
--> statement-breakpoint
CREATE TABLE "site_load_notices" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"seq" bigint DEFAULT 1 NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_load_notices_tenant_id_site_id_pk" PRIMARY KEY("tenant_id","site_id")
);
