import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's event metrics: counters and histograms observed where things happen, one line
 * at the point of observation (`metrics.expiryLateness(seconds)`). Served with the state gauges
 * read at scrape time (state-gauges.ts) at GET /metrics.
 *
 * Label values come from bounded sets only: connector kinds, steps, outcomes, queue names and
 * Slack method names. Never a user id, a dataset's contents or a token.
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const decisionSeconds = new Histogram({
  name: 'dab_request_decision_seconds',
  help: 'Time from a request being made to its approval or denial by people, in seconds',
  labelNames: ['outcome'] as const,
  buckets: [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR, 8 * HOUR, DAY, 3 * DAY, 7 * DAY],
  registers: [processRegistry],
});

const expiryLatenessSeconds = new Histogram({
  name: 'dab_grant_expiry_lateness_seconds',
  help: 'From a grant’s end (due) to its access being removed in the target system, for grants that ended by expiry, in seconds',
  buckets: [1, 5, 15, 30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 4 * HOUR],
  registers: [processRegistry],
});

const connectorAttempts = new Counter({
  name: 'dab_connector_attempts_total',
  help: 'Attempts to give (step="grant") or take away (step="revoke") access through a connector',
  labelNames: ['step', 'connector'] as const,
  registers: [processRegistry],
});

const connectorFailures = new Counter({
  name: 'dab_connector_failures_total',
  help: 'Failed attempts to give or take away access through a connector (each is retried)',
  labelNames: ['step', 'connector'] as const,
  registers: [processRegistry],
});

const slackCalls = new Counter({
  name: 'dab_slack_api_calls_total',
  help: 'HTTP requests to the Slack Web API (each retry counts), by method and outcome: ok, error (Slack answered ok:false), rate_limited (429), http_error, network_error',
  labelNames: ['method', 'outcome'] as const,
  registers: [processRegistry],
});

const jobsFailed = new Counter({
  name: 'dab_jobs_failed_total',
  help: 'BullMQ job attempts that failed, by queue (most are retried; failed jobs are not kept in Redis)',
  labelNames: ['queue'] as const,
  registers: [processRegistry],
});

export type ConnectorStep = 'grant' | 'revoke';
export type SlackCallOutcome = 'ok' | 'error' | 'rate_limited' | 'http_error' | 'network_error';

export const metrics = {
  /** A request was approved or denied by people (not automatically). */
  decision(outcome: 'approved' | 'denied', seconds: number): void {
    decisionSeconds.observe({ outcome }, Math.max(0, seconds));
  },
  /** A grant that ended by expiry had its access removed `seconds` after it was due. */
  expiryLateness(seconds: number): void {
    expiryLatenessSeconds.observe(Math.max(0, seconds));
  },
  connectorAttempt(step: ConnectorStep, connector: string, count = 1): void {
    connectorAttempts.inc({ step, connector }, count);
  },
  connectorFailure(step: ConnectorStep, connector: string, count = 1): void {
    if (count > 0) connectorFailures.inc({ step, connector }, count);
  },
  slackCall(method: string, outcome: SlackCallOutcome): void {
    slackCalls.inc({ method, outcome });
  },
  jobFailed(queue: string): void {
    jobsFailed.inc({ queue });
  },
};
