CREATE TABLE "ocpi_tariffs" (
	"tenant_id" text NOT NULL,
	"tariff_id" text NOT NULL,
	"details" jsonb NOT NULL,
	"site_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"asset_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_tariffs_tenant_id_tariff_id_pk" PRIMARY KEY("tenant_id","tariff_id")
);
