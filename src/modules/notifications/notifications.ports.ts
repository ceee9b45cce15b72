import type { Sensitivity } from '../../catalog/catalog.schema.js';
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

/** The port through which use cases speak to people. The Slack implementation is in src/slack/. */
export interface Notifier {
  askApprover(approverId: string, request: RequestView): Promise<MessageRef>;
  updateApproverMessage(ref: MessageRef, request: RequestView): Promise<void>;
  confirmRequestReceived(request: RequestView): Promise<void>;
  tellRequesterOfDecision(request: RequestView): Promise<void>;
  tellGrantExpired(grant: GrantView): Promise<void>;
  tellAccessReady(grant: GrantView): Promise<void>;
  /** To the requester and to each owner: the target system could not give the access. */
  tellProvisioningFailed(recipientId: string, grant: GrantView): Promise<void>;
  askForTask(assigneeId: string, task: TaskView): Promise<MessageRef>;
  updateTaskMessage(ref: MessageRef, task: TaskView): Promise<void>;
  /** To owners and admins: removing access keeps failing; a person may resolve it by hand. */
  alertRevokeStuck(recipientId: string, grant: GrantView): Promise<void>;
  remindTask(assigneeId: string, task: TaskView): Promise<void>;
  /** A pending request is waiting for this approver (once, after the reminder interval). */
  remindApprover(approverId: string, request: RequestView): Promise<void>;
  /** Nobody decided in time; the requester may ask again. */
  tellRequestExpired(request: RequestView): Promise<void>;
  tellGrantExtended(grant: GrantView): Promise<void>;
  /** Before the end: with Extend and Release. */
  remindExpiry(grant: GrantView, lead: '24h' | '1h'): Promise<void>;
  /** Privately to the poster, in the channel where they posted. */
  coachPoster(nudge: NudgeView): Promise<void>;
  alertSecurity(channelId: string, nudge: NudgeView): Promise<void>;
  /** Posts a digest (split into as many messages as Slack's limits need); returns one ref per part. */
  sendDigest(digest: DigestView): Promise<MessageRef[]>;
  updateDigest(refs: MessageRef[], digest: DigestView): Promise<void>;
  remindReview(digest: DigestView): Promise<void>;
  postReviewSummary(channelId: string, summary: ReviewSummary): Promise<void>;
  sendTip(userId: string, tip: string): Promise<void>;
}

/** Thrown by a Notifier when retrying cannot help (the user is gone, the message is malformed). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
