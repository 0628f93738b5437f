CREATE TABLE "claim_attempts" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"failures" integer NOT NULL,
	"first_failed_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "claim_attempts_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
CREATE INDEX "claim_attempts_updated_at_index" ON "claim_attempts" USING btree ("updated_at");