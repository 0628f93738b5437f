CREATE TABLE "ocpi_realtime_authorizations" (
	"tenant_id" text NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"party_id" text NOT NULL,
	"device_id" text NOT NULL,
	"id_tag" text NOT NULL,
	"token" jsonb NOT NULL,
	"authorization_reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_realtime_authorizations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "ocpi_realtime_authorizations" ADD CONSTRAINT "ocpi_realtime_authorizations_tenant_id_party_id_ocpi_parties_tenant_id_party_id_fk" FOREIGN KEY ("tenant_id","party_id") REFERENCES "public"."ocpi_parties"("tenant_id","party_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ocpi_realtime_authorizations_tenant_id_device_id_id_tag_created_at_index" ON "ocpi_realtime_authorizations" USING btree ("tenant_id","device_id","id_tag","created_at");