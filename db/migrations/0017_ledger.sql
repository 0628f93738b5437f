CREATE TABLE "ledger_checkpoints" (
	"tenant_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"statement" text NOT NULL,
	"signature" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_checkpoints_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"tenant_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"kind" text NOT NULL,
	"record_id" text NOT NULL,
	"body" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"appended_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq"),
	CONSTRAINT "ledger_entries_tenantId_kind_recordId_unique" UNIQUE("tenant_id","kind","record_id")
);
--> statement-breakpoint
CREATE INDEX "ledger_entries_tenant_id_kind_seq_index" ON "ledger_entries" USING btree ("tenant_id","kind","seq");