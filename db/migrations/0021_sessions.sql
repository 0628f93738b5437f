CREATE TABLE "session_record_notes" (
	"tenant_id" text NOT NULL,
	"record_id" bigint NOT NULL,
	"code" text NOT NULL,
	"count" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"last_payload" jsonb NOT NULL,
	CONSTRAINT "session_record_notes_tenant_id_record_id_code_pk" PRIMARY KEY("tenant_id","record_id","code")
);
--> statement-breakpoint
CREATE TABLE "session_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "session_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"protocol" text NOT NULL,
	"session_key" text NOT NULL,
	"transaction_id" text NOT NULL,
	"evse_id" integer,
	"connector_id" integer,
	"id_tag" text,
	"started_at" timestamp with time zone,
	"stopped_at" timestamp with time zone NOT NULL,
	"meter_start_wh" double precision,
	"meter_stop_wh" double precision,
	"energy_kwh" double precision,
	"stop_reason" text,
	"flags" text[] NOT NULL,
	"counted" boolean NOT NULL,
	"offline" boolean NOT NULL,
	"site_id" text,
	"asset_id" text,
	"customer_id" text,
	"signed_meter_data" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_records_tenantId_deviceId_protocol_sessionKey_unique" UNIQUE("tenant_id","device_id","protocol","session_key")
);
--> statement-breakpoint
CREATE TABLE "session_signed_values" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "session_signed_values_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"protocol" text NOT NULL,
	"session_key" text NOT NULL,
	"digest" text NOT NULL,
	"value" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_signed_values_tenant_id_device_id_protocol_session_key_digest_pk" PRIMARY KEY("tenant_id","device_id","protocol","session_key","digest")
);
--> statement-breakpoint
CREATE INDEX "session_records_tenant_id_stopped_at_index" ON "session_records" USING btree ("tenant_id","stopped_at");--> statement-breakpoint
CREATE INDEX "session_records_tenant_id_site_id_stopped_at_index" ON "session_records" USING btree ("tenant_id","site_id","stopped_at");--> statement-breakpoint
CREATE INDEX "session_records_tenant_id_asset_id_stopped_at_index" ON "session_records" USING btree ("tenant_id","asset_id","stopped_at");--> statement-breakpoint
CREATE INDEX "session_records_tenant_id_device_id_stopped_at_index" ON "session_records" USING btree ("tenant_id","device_id","stopped_at");