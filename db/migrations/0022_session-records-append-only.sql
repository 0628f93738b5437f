-- A session record (CDR) is written once; later news about its session goes to notes.
CREATE TRIGGER session_records_append_only BEFORE UPDATE OR DELETE ON "session_records"
  FOR EACH STATEMENT EXECUTE FUNCTION doppel_append_only();
--> statement-breakpoint
CREATE TRIGGER session_records_no_truncate BEFORE TRUNCATE ON "session_records"
  FOR EACH STATEMENT EXECUTE FUNCTION doppel_append_only();
