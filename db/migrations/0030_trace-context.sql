ALTER TABLE "outbox" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "twin_notices" ADD COLUMN "traceparent" text;