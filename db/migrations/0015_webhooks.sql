CREATE TABLE "webhook_dead_letters" (
	"tenant_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"outbox_id" bigint NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text NOT NULL,
	"dead_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_dead_letters_tenant_id_webhook_id_outbox_id_pk" PRIMARY KEY("tenant_id","webhook_id","outbox_id")
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"tenant_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"filter" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"max_attempts" integer NOT NULL,
	"cursor" bigint NOT NULL,
	"waiting" boolean DEFAULT false NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhooks_tenant_id_webhook_id_pk" PRIMARY KEY("tenant_id","webhook_id")
);
