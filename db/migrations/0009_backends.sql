CREATE TABLE "backends" (
	"tenant_id" text NOT NULL,
	"backend_id" text NOT NULL,
	"definition" jsonb NOT NULL,
	"secret" text,
	"version" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backends_tenant_id_backend_id_pk" PRIMARY KEY("tenant_id","backend_id")
);
