CREATE TABLE "ocpi_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"unanswered_authorization" text DEFAULT 'REFUSE' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
