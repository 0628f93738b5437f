CREATE TABLE "ocpi_reservations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ocpi_reservations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"ocpi_party_id" text NOT NULL,
	"reservation_id" text NOT NULL,
	"device_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ocpi_reservations" ADD CONSTRAINT "ocpi_reservations_tenant_id_ocpi_party_id_ocpi_parties_tenant_id_party_id_fk" FOREIGN KEY ("tenant_id","ocpi_party_id") REFERENCES "public"."ocpi_parties"("tenant_id","party_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ocpi_reservations_party_id" ON "ocpi_reservations" USING btree ("tenant_id","ocpi_party_id","reservation_id");