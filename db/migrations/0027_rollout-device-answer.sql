ALTER TABLE "rollout_devices" ADD COLUMN "answer" text;--> statement-breakpoint
ALTER TABLE "rollout_devices" ADD COLUMN "result" jsonb;