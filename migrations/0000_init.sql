CREATE TABLE "access_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'access' NOT NULL,
	"grant_id" uuid,
	"dataset_id" text NOT NULL,
	"requester_id" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"reason" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"deny_reason" text,
	"approvals_required" integer DEFAULT 1 NOT NULL,
	"escalated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "request_approvals" (
	"request_id" uuid NOT NULL,
	"approver_id" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL,
	CONSTRAINT "request_approvals_request_id_approver_id_pk" PRIMARY KEY("request_id","approver_id")
);
--> statement-breakpoint
CREATE TABLE "request_approvers" (
	"request_id" uuid NOT NULL,
	"approver_id" text NOT NULL,
	"channel_id" text,
	"message_ts" text,
	"time_zone" text,
	"asked_at" timestamp with time zone,
	"reminded_at" timestamp with time zone,
	"escalation" boolean DEFAULT false NOT NULL,
	CONSTRAINT "request_approvers_request_id_approver_id_pk" PRIMARY KEY("request_id","approver_id")
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"dataset_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text DEFAULT 'provisioning' NOT NULL,
	"duration_minutes" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone,
	"alerted_at" timestamp with time zone,
	"reminded_24h_for" timestamp with time zone,
	"reminded_1h_for" timestamp with time zone,
	"ended_by" text,
	"end_note" text,
	CONSTRAINT "grants_request_id_unique" UNIQUE("request_id")
);
--> statement-breakpoint
CREATE TABLE "provisioning_tasks" (
	"grant_id" uuid NOT NULL,
	"step" text NOT NULL,
	"assignee_id" text NOT NULL,
	"channel_id" text,
	"message_ts" text,
	CONSTRAINT "provisioning_tasks_grant_id_step_assignee_id_pk" PRIMARY KEY("grant_id","step","assignee_id")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sensitive_data_nudges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"detectors" text[] NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"nudged" boolean NOT NULL,
	"fixed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "policy_acknowledgements" (
	"user_id" text NOT NULL,
	"version" text NOT NULL,
	"acknowledged_at" timestamp with time zone NOT NULL,
	CONSTRAINT "policy_acknowledgements_user_id_version_pk" PRIMARY KEY("user_id","version")
);
--> statement-breakpoint
CREATE TABLE "review_campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"started_by" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"reminder_sent_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"grant_id" uuid NOT NULL,
	"dataset_id" text NOT NULL,
	"user_id" text NOT NULL,
	"position" integer NOT NULL,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"automatic" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_messages" (
	"campaign_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"part" integer NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	CONSTRAINT "review_messages_campaign_id_owner_id_part_pk" PRIMARY KEY("campaign_id","owner_id","part")
);
--> statement-breakpoint
ALTER TABLE "request_approvals" ADD CONSTRAINT "request_approvals_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_approvers" ADD CONSTRAINT "request_approvers_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tasks" ADD CONSTRAINT "provisioning_tasks_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_campaign_id_review_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."review_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_messages" ADD CONSTRAINT "review_messages_campaign_id_review_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."review_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_requests_one_pending" ON "access_requests" USING btree ("requester_id","dataset_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "access_requests_requester" ON "access_requests" USING btree ("requester_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "grants_one_held" ON "grants" USING btree ("user_id","dataset_id") WHERE status in ('provisioning', 'active', 'revoking');--> statement-breakpoint
CREATE INDEX "grants_status_ends" ON "grants" USING btree ("status","ends_at");--> statement-breakpoint
CREATE INDEX "audit_events_subject" ON "audit_events" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "outbox_status" ON "outbox" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "sensitive_data_nudges_user_at" ON "sensitive_data_nudges" USING btree ("user_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "sensitive_data_nudges_message" ON "sensitive_data_nudges" USING btree ("channel_id","message_ts");--> statement-breakpoint
CREATE UNIQUE INDEX "review_campaigns_one_open" ON "review_campaigns" USING btree ("status") WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_one_per_grant" ON "review_items" USING btree ("campaign_id","grant_id");--> statement-breakpoint
CREATE INDEX "review_items_dataset" ON "review_items" USING btree ("campaign_id","dataset_id");