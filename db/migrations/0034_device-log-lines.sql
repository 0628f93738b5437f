-- Device log lines (db/device-logs.ts), partitioned by day on the gateway's receive time:
-- retention drops a whole day's partition instead of deleting rows. drizzle cannot declare a
-- partitioned table, hence this hand-written migration (db/schema/device-logs.ts says so).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE SEQUENCE "device_log_lines_id_seq";
--> statement-breakpoint
CREATE TABLE "device_log_lines" (
	"id" bigint NOT NULL DEFAULT nextval('device_log_lines_id_seq'),
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"level" text NOT NULL,
	"source" text DEFAULT '' NOT NULL,
	"text" text NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
-- A device's newest lines first (the default listing and `doppel logs`), and its time ranges.
CREATE INDEX "device_log_lines_device" ON "device_log_lines" ("tenant_id", "device_id", "id");
--> statement-breakpoint
CREATE INDEX "device_log_lines_device_at" ON "device_log_lines" ("tenant_id", "device_id", "at");
--> statement-breakpoint
-- Text search is a substring search (error codes, hex, paths: what grep finds), so a trigram
-- index serves ILIKE '%…%'; full-text search would stem and split words and miss "E_0x1F".
CREATE INDEX "device_log_lines_text" ON "device_log_lines" USING gin ("text" gin_trgm_ops);
--> statement-breakpoint
-- Lines whose day has no partition yet (the worker was down for days) are kept here, not lost.
CREATE TABLE "device_log_lines_default" PARTITION OF "device_log_lines" DEFAULT;
--> statement-breakpoint
-- Creates the partitions of `today` and the `ahead_days` after it, drops those of days before
-- `today - retention_days`. SECURITY DEFINER: the application role owns nothing and may not
-- create or drop tables (docs/database-roles.md); this is the one DDL it may cause.
CREATE FUNCTION "device_log_partitions"(retention_days integer, ahead_days integer, today date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS TABLE (created integer, dropped integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	day date;
	part record;
	name text;
	n_created integer := 0;
	n_dropped integer := 0;
BEGIN
	PERFORM pg_advisory_xact_lock(7263554);
	FOR i IN 0..ahead_days LOOP
		day := today + i;
		name := 'device_log_lines_p' || to_char(day, 'YYYYMMDD');
		IF to_regclass('public.' || name) IS NULL THEN
			BEGIN
				EXECUTE format('CREATE TABLE %I PARTITION OF device_log_lines FOR VALUES FROM (%L) TO (%L)',
					name, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
				n_created := n_created + 1;
			EXCEPTION WHEN check_violation THEN
				-- The default partition already holds lines of that day: they stay there.
				RAISE NOTICE 'device_log_lines: % not created, the default partition holds its lines', name;
			END;
		END IF;
	END LOOP;
	FOR part IN
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'public.device_log_lines'::regclass
			AND c.relname ~ '^device_log_lines_p[0-9]{8}$'
	LOOP
		IF to_date(substr(part.relname, 19), 'YYYYMMDD') < today - retention_days THEN
			EXECUTE format('DROP TABLE %I', part.relname);
			n_dropped := n_dropped + 1;
		END IF;
	END LOOP;
	-- Lines kept in the default partition age out by row.
	DELETE FROM device_log_lines_default
		WHERE received_at < (today - retention_days)::timestamp AT TIME ZONE 'UTC';
	RETURN QUERY SELECT n_created, n_dropped;
END $$;
--> statement-breakpoint
SELECT * FROM "device_log_partitions"(30, 7);
