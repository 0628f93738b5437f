CREATE TABLE "asset_bindings" (
	"tenant_id" text NOT NULL,
	"asset_id" text NOT NULL,
	"device_id" text NOT NULL,
	"bound_at" timestamp with time zone NOT NULL,
	"unbound_at" timestamp with time zone,
	"bound_version" bigint NOT NULL,
	CONSTRAINT "asset_bindings_tenant_id_asset_id_bound_version_pk" PRIMARY KEY("tenant_id","asset_id","bound_version")
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"tenant_id" text NOT NULL,
	"asset_id" text NOT NULL,
	"site_id" text,
	"customer_id" text,
	"name" text NOT NULL,
	"kind" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"current_device_id" text,
	"health" text NOT NULL,
	"state" jsonb NOT NULL,
	"version" bigint NOT NULL,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "assets_tenant_id_asset_id_pk" PRIMARY KEY("tenant_id","asset_id")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"tenant_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"name" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sites_tenant_id_site_id_pk" PRIMARY KEY("tenant_id","site_id")
);
--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_tenant_id_customer_id_customers_tenant_id_customer_id_fk" FOREIGN KEY ("tenant_id","customer_id") REFERENCES "public"."customers"("tenant_id","customer_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "asset_bindings_tenant_id_device_id_index" ON "asset_bindings" USING btree ("tenant_id","device_id");--> statement-breakpoint
CREATE INDEX "assets_tenant_id_site_id_index" ON "assets" USING btree ("tenant_id","site_id");--> statement-breakpoint
CREATE INDEX "assets_tenant_id_customer_id_index" ON "assets" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "assets_tenant_id_current_device_id_index" ON "assets" USING btree ("tenant_id","current_device_id");--> statement-breakpoint
CREATE INDEX "sites_tenant_id_customer_id_index" ON "sites" USING btree ("tenant_id","customer_id");