CREATE TABLE "device_login_refusals" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"count" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"last_code" text NOT NULL,
	CONSTRAINT "device_login_refusals_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "messages_in" bigint;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "messages_out" bigint;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "bytes_in" bigint;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "bytes_out" bigint;--> statement-breakpoint
CREATE INDEX "device_sessions_opened_at_index" ON "device_sessions" USING btree ("opened_at");