CREATE TABLE "log_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"request_number" integer NOT NULL,
	"token_hash" text NOT NULL,
	"from" timestamp with time zone,
	"to" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"status" text DEFAULT 'requested' NOT NULL,
	"status_at" timestamp with time zone DEFAULT now() NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"request_id" text NOT NULL,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"store_key" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "log_requests_token" ON "log_requests" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "log_requests_device" ON "log_requests" USING btree ("tenant_id","device_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "log_uploads_request" ON "log_uploads" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "log_uploads_device" ON "log_uploads" USING btree ("tenant_id","device_id","uploaded_at");