CREATE TABLE "device_profiles" (
	"tenant_id" text NOT NULL,
	"model" text NOT NULL,
	"profile" jsonb NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_profiles_tenant_id_model_pk" PRIMARY KEY("tenant_id","model")
);
