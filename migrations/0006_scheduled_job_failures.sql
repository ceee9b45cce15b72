CREATE TABLE "scheduled_job_failures" (
	"job" text NOT NULL,
	"day" text NOT NULL,
	"error_code" text NOT NULL,
	"first_failed_at" timestamp with time zone NOT NULL,
	"last_failed_at" timestamp with time zone NOT NULL,
	"failures" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "scheduled_job_failures_job_day_pk" PRIMARY KEY("job","day")
);
