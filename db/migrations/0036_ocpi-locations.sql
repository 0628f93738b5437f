CREATE TABLE "ocpi_locations" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"details" jsonb NOT NULL,
	"publish" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_locations_tenant_id_site_id_pk" PRIMARY KEY("tenant_id","site_id")
);
