import { z } from 'zod';
import { accessReady, expiryReminder, grantExpired, grantExtended, provisionFailed, revokeStuck } from './grant.messages.js';
import type { MessageDefinition } from './message.js';
import { hygieneTip, securityAlert, sensitiveNudge } from './nudge.messages.js';
import { approvalReminder, approvalRequest, approverMessages, decision, requestExpired, requestReceived } from './request.messages.js';
import { scheduledJobFailed } from './operations.messages.js';
import { reviewChart, reviewDigest, reviewDigestUpdate, reviewReminder, reviewSummary } from './review.messages.js';
import { task, taskMessages, taskReminder } from './task.messages.js';

/**
 * Every message the bot sends, by the kind stored in the outbox. A kind is a stored name: never
 * rename one (rows written before would no longer deliver); add a new kind instead.
 */
export const MESSAGES = {
  approval_request: approvalRequest,
  approver_messages: approverMessages,
  request_received: requestReceived,
  decision,
  approval_reminder: approvalReminder,
  request_expired: requestExpired,
  access_ready: accessReady,
  grant_expired: grantExpired,
  grant_extended: grantExtended,
  expiry_reminder: expiryReminder,
  provision_failed: provisionFailed,
  revoke_stuck: revokeStuck,
  task,
  task_reminder: taskReminder,
  task_messages: taskMessages,
  review_digest: reviewDigest,
  review_digest_update: reviewDigestUpdate,
  review_reminder: reviewReminder,
  review_summary: reviewSummary,
  review_chart: reviewChart,
  sensitive_nudge: sensitiveNudge,
  security_alert: securityAlert,
  hygiene_tip: hygieneTip,
  scheduled_job_failed: scheduledJobFailed,
} as const;

export type MessageKind = keyof typeof MESSAGES;
/** What a producer passes (and what is stored): numbers stay numbers. */
export type PayloadOf<K extends MessageKind> = z.output<(typeof MESSAGES)[K]['payload']>;
/** One message to put in the outbox; the kind decides the payload's type. */
export type OutboxMessage = { [K in MessageKind]: { kind: K; payload: PayloadOf<K> } }[MessageKind];

/** Builds one outbox message; the compiler checks the payload against the kind. */
export function outboxMessage<K extends MessageKind>(kind: K, payload: PayloadOf<K>): OutboxMessage {
  return { kind, payload } as OutboxMessage;
}

/** Why a message could not be read: an unknown kind, or a payload that does not match its kind. */
export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
  constructor(
    readonly kind: string,
    readonly problem: 'unknown_kind' | 'invalid_payload',
    /** Where the payload is wrong (field paths and zod codes; never the values). */
    readonly issues: string[] = [],
  ) {
    super(problem === 'unknown_kind' ? `unknown message kind ${kind}` : `invalid payload for message ${kind}: ${issues.join(', ')}`);
  }
}

export function isMessageKind(kind: string): kind is MessageKind {
  return Object.hasOwn(MESSAGES, kind);
}

/** The definition for a stored kind and its payload, checked; throws InvalidMessageError. */
export function readMessage(kind: string, payload: unknown): { definition: MessageDefinition; payload: unknown } {
  if (!isMessageKind(kind)) throw new InvalidMessageError(kind, 'unknown_kind');
  const definition = MESSAGES[kind] as unknown as MessageDefinition;
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) throw new InvalidMessageError(kind, 'invalid_payload', describeIssues(parsed.error));
  return { definition, payload: parsed.data };
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.code}`);
}
