CREATE TABLE "charging_session_events" (
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"transaction_id" text NOT NULL,
	"seq_no" integer NOT NULL,
	"event_type" text NOT NULL,
	"trigger_reason" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"answer" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "charging_session_events_tenant_id_device_id_transaction_id_seq_no_pk" PRIMARY KEY("tenant_id","device_id","transaction_id","seq_no")
);
--> statement-breakpoint
CREATE TABLE "charging_sessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "charging_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"device_id" text NOT NULL,
	"protocol" text NOT NULL,
	"station_key" text NOT NULL,
	"transaction_id" text,
	"evse_id" integer,
	"connector_id" integer,
	"id_tag" text,
	"started_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"meter_start_wh" double precision,
	"meter_stop_wh" double precision,
	"stop_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "charging_sessions_tenantId_deviceId_stationKey_unique" UNIQUE("tenant_id","device_id","station_key")
);
--> statement-breakpoint
CREATE INDEX "charging_sessions_tenant_id_device_id_started_at_index" ON "charging_sessions" USING btree ("tenant_id","device_id","started_at");