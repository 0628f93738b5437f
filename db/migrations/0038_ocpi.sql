CREATE TABLE "ocpi_parties" (
	"tenant_id" text NOT NULL,
	"party_id" text NOT NULL,
	"cpo_country_code" text NOT NULL,
	"cpo_party_id" text NOT NULL,
	"cpo_name" text NOT NULL,
	"country_code" text,
	"party_code" text,
	"name" text,
	"status" text NOT NULL,
	"token_a_hash" text,
	"token_c_hash" text,
	"token_b" text,
	"versions_url" text,
	"endpoints" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"push_cursor" bigint DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_parties_tenant_id_party_id_pk" PRIMARY KEY("tenant_id","party_id")
);
--> statement-breakpoint
CREATE TABLE "ocpi_locations" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"details" jsonb NOT NULL,
	"publish" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_locations_tenant_id_site_id_pk" PRIMARY KEY("tenant_id","site_id")
);
--> statement-breakpoint
CREATE TABLE "ocpi_tariffs" (
	"tenant_id" text NOT NULL,
	"tariff_id" text NOT NULL,
	"details" jsonb NOT NULL,
	"site_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"asset_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_tariffs_tenant_id_tariff_id_pk" PRIMARY KEY("tenant_id","tariff_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "ocpi_parties_token_a" ON "ocpi_parties" USING btree ("token_a_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "ocpi_parties_token_c" ON "ocpi_parties" USING btree ("token_c_hash");