CREATE TABLE "ocpi_pushed_locations" (
	"tenant_id" text NOT NULL,
	"ocpi_party_id" text NOT NULL,
	"site_id" text NOT NULL,
	"shape" text NOT NULL,
	"document" jsonb NOT NULL,
	CONSTRAINT "ocpi_pushed_locations_tenant_id_ocpi_party_id_site_id_pk" PRIMARY KEY("tenant_id","ocpi_party_id","site_id")
);
--> statement-breakpoint
ALTER TABLE "ocpi_pushed_locations" ADD CONSTRAINT "ocpi_pushed_locations_tenant_id_ocpi_party_id_ocpi_parties_tenant_id_party_id_fk" FOREIGN KEY ("tenant_id","ocpi_party_id") REFERENCES "public"."ocpi_parties"("tenant_id","party_id") ON DELETE cascade ON UPDATE no action;