-- The keys that verify checkpoints are kept like the checkpoints: a key replaced under its id
-- would let a re-signed ledger pass for the installation's own, so ledger_keys refuses UPDATE,
-- DELETE and TRUNCATE (doppel_append_only of migration 0018). A new key is a new row.
CREATE TRIGGER ledger_keys_append_only BEFORE UPDATE OR DELETE ON "ledger_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION doppel_append_only();
--> statement-breakpoint
CREATE TRIGGER ledger_keys_no_truncate BEFORE TRUNCATE ON "ledger_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION doppel_append_only();
