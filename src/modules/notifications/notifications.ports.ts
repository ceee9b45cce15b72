import type { Sensitivity } from '../../catalog/catalog.schema.js';
import type { StandingWeek } from '../../shared/chart/standing.chart.js';
import type { HygieneComparison } from '../hygiene/figures.usecases.js';
import type { GrantStatus, TaskStep } from '../grants/grants.table.js';
import type { RequestKind, RequestStatus } from '../requests/requests.table.js';

/** What a message about a request needs to say; built from the database, never from a button. */
export interface RequestView {
  id: string;
  kind: RequestKind;
  dataset: { id: string; name: string; sensitivity: Sensitivity };
  requesterId: string;
  durationMinutes: number;
  reason: string | null;
  status: RequestStatus;
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  denyReason: string | null;
  approverIds: string[];
  /** Who has approved so far, in order. */
  approvedBy: string[];
  approvalsRequired: number;
  /** When it went to the admins because nobody answered in time, and who had been asked before that. */
  escalatedAt: Date | null;
  askedFirst: string[];
  /** When the grant is active, its end. */
  grantEndsAt: Date | null;
  grantStatus: GrantStatus | null;
}

export interface GrantView {
  id: string;
  userId: string;
  dataset: { id: string; name: string };
  status: GrantStatus;
  endsAt: Date;
  durationMinutes: number;
  endReason: string | null;
  /** Who ended it early (release or revoke), and the reason they gave. */
  endedBy: string | null;
  endNote: string | null;
  lastError: string | null;
}

/** A "do this by hand" step for a manual dataset (or a stuck revoke that a person may resolve). */
export interface TaskView {
  grant: GrantView;
  step: TaskStep;
  doneBy: string | null;
}

export interface MessageRef {
  channelId: string;
  ts: string;
}

/** Sensitive data seen in a message: where and what kind, never the content. */
export interface NudgeView {
  id: number;
  userId: string;
  channelId: string;
  messageTs: string;
  detectors: string[];
  nudged: boolean;
}

/** One owner's access-review digest: their datasets' grants with each decision so far. */
export interface DigestView {
  campaignId: string;
  ownerId: string;
  deadline: Date;
  open: boolean;
  datasets: Array<{
    id: string;
    name: string;
    items: Array<{
      id: string;
      userId: string;
      since: Date;
      until: Date;
      reason: string | null;
      decision: 'keep' | 'revoke' | null;
      decidedBy: string | null;
      automatic: boolean;
    }>;
  }>;
}

export interface ReviewSummary {
  campaignId: string;
  startedAt: Date;
  total: number;
  reviewed: number;
  kept: number;
  revoked: number;
  autoRevoked: number;
  autoKept: number;
  /** Reviewers who decided none of the items they were asked about before the deadline. */
  silentOwners: string[];
  /** Reviewers who decided some of their items and left `undecided` to the deadline (absent in older summaries). */
  partialOwners?: Array<{ userId: string; undecided: number }>;
  /** Grants under review last time, to show whether standing access grows or shrinks. */
  previousTotal: number | null;
}

/**
 * What a message shows, by look: the data each look needs, already loaded. The Slack layer turns
 * each into blocks (src/slack/messages.render.ts); several messages may share one look.
 */
export interface ContentData {
  approval_request: RequestView;
  request_received: RequestView;
  decision: { request: RequestView; timeZone?: string };
  approver_reminder: RequestView;
  request_expired: RequestView;
  grant_expired: GrantView;
  access_ready: { grant: GrantView; timeZone?: string };
  grant_extended: { grant: GrantView; timeZone?: string };
  expiry_reminder: { grant: GrantView; lead: '24h' | '1h'; timeZone?: string };
  /** To the requester and to each owner: the target system could not give the access. */
  provision_failed: { grant: GrantView; toRequester: boolean };
  /** To owners and admins: removing access keeps failing; a person may resolve it by hand. */
  revoke_stuck: GrantView;
  task: { task: TaskView; reminder: boolean };
  coaching: NudgeView;
  security_alert: NudgeView;
  /** May take several messages (Slack's limits); each part has its own ref. */
  digest: DigestView;
  review_reminder: DigestView;
  /** With the hygiene figures of the week the review closed, against the four weeks before. */
  review_summary: ReviewSummary & { hygiene?: HygieneComparison };
  tip: { text: string };
  /** To the admins and the security channel: a scheduled job's last attempt failed (first time that day). */
  scheduled_job_failed: { job: string; code: string; day: string };
}
export type ContentKind = keyof ContentData;
export type Content = { [K in ContentKind]: { look: K; data: ContentData[K] } }[ContentKind];

/** Where a message goes: a person's direct messages, a channel, or privately to one person in a channel. */
export type Destination = { dm: string } | { channel: string } | { privately: { channel: string; user: string } };

/** Resuming a multi-part message: skip the parts already posted, record each new one as it lands. */
export interface PartProgress {
  fromPart: number;
  onPosted(part: number, ref: MessageRef): Promise<void>;
}

/** The port through which messages reach people. The Slack implementation is src/slack/messenger.ts. */
export interface Messenger {
  /**
   * Posts the content (one or more parts); returns where each part landed (none for a private note
   * shown in a channel). With `parts`, a DM resumes at `fromPart` (those before were posted by an
   * earlier attempt) and reports each part as soon as it lands, so a retry never posts one twice.
   */
  post(to: Destination, content: Content, parts?: PartProgress): Promise<MessageRef[]>;
  /** Rewrites messages posted earlier with the same look, part by part. */
  update(refs: MessageRef[], content: Content): Promise<void>;
  /** Shares a file the bot makes (rendered by the Slack layer) in a channel, with a line introducing it. */
  upload(to: { channel: string }, file: FileContent): Promise<void>;
}

/** The files the bot makes, by look: the data each needs; the Slack layer renders them (a chart as a PNG). */
export interface FileData {
  /** Standing grant-days per tier, week by week. */
  standing_chart: { weeks: StandingWeek[]; comment: string };
}
export type FileContent = { [K in keyof FileData]: { look: K; data: FileData[K] } }[keyof FileData];

/** Thrown by a Messenger when retrying cannot help (the user is gone, the message is malformed). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** Thrown by a Messenger when Slack says to slow down: nothing was posted; try again after `retryAfterMs`. */
export class DeliveryRateLimitedError extends Error {
  override name = 'DeliveryRateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super(`rate limited; retry after ${retryAfterMs} ms`);
  }
}
