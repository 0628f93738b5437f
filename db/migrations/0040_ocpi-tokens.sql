CREATE TABLE "ocpi_tokens" (
	"tenant_id" text NOT NULL,
	"ocpi_party_id" text NOT NULL,
	"uid" text NOT NULL,
	"type" text NOT NULL,
	"token" jsonb NOT NULL,
	"last_updated" timestamp with time zone NOT NULL,
	CONSTRAINT "ocpi_tokens_tenant_id_ocpi_party_id_uid_type_pk" PRIMARY KEY("tenant_id","ocpi_party_id","uid","type")
);
--> statement-breakpoint
CREATE TABLE "ocpi_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"unanswered_authorization" text DEFAULT 'REFUSE' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ocpi_tokens" ADD CONSTRAINT "ocpi_tokens_tenant_id_ocpi_party_id_ocpi_parties_tenant_id_party_id_fk" FOREIGN KEY ("tenant_id","ocpi_party_id") REFERENCES "public"."ocpi_parties"("tenant_id","party_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ocpi_tokens_uid" ON "ocpi_tokens" USING btree ("tenant_id","uid");