CREATE TABLE "ocpi_session_starts" (
	"tenant_id" text NOT NULL,
	"command_id" text NOT NULL,
	"party_id" text NOT NULL,
	"device_id" text NOT NULL,
	"id_tag" text NOT NULL,
	"token" jsonb NOT NULL,
	"authorization_reference" text,
	"location_id" text NOT NULL,
	"evse_uid" text,
	"connector_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ocpi_session_starts_tenant_id_command_id_pk" PRIMARY KEY("tenant_id","command_id")
);
--> statement-breakpoint
CREATE TABLE "ocpi_sessions" (
	"tenant_id" text NOT NULL,
	"session_id" integer NOT NULL,
	"party_id" text NOT NULL,
	"via" text NOT NULL,
	"token" jsonb NOT NULL,
	"authorization_reference" text,
	"location_id" text NOT NULL,
	"evse_uid" text NOT NULL,
	"connector_id" text NOT NULL,
	"sent" jsonb,
	"cdr_sent_at" timestamp with time zone,
	"cdr_location" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ocpi_sessions_tenant_id_session_id_pk" PRIMARY KEY("tenant_id","session_id")
);
--> statement-breakpoint
CREATE INDEX "ocpi_session_starts_tenant_id_device_id_id_tag_created_at_index" ON "ocpi_session_starts" USING btree ("tenant_id","device_id","id_tag","created_at");--> statement-breakpoint
CREATE INDEX "ocpi_sessions_tenant_id_party_id_session_id_index" ON "ocpi_sessions" USING btree ("tenant_id","party_id","session_id");