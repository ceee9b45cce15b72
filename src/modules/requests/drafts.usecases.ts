import { randomBytes } from 'node:crypto';
import { addHours } from 'date-fns/addHours';
import { assertText } from '../../shared/text.js';
import type { Deps } from '../deps.js';
import * as repo from './drafts.repository.js';
import type { RequestDraft } from './drafts.repository.js';

/** How long a held request waits for its requester to come back to it. */
export const DRAFT_TTL_HOURS = 24;
/** 16 random bytes, base64url: what a view's private_metadata carries instead of the request. */
const DRAFT_ID_RE = /^[A-Za-z0-9_-]{22}$/;

export interface DraftInput {
  datasetId: string;
  duration?: string;
  reason?: string;
  policyVersion: string;
}

/**
 * Holds a request server-side while its requester reads the data-handling policy, and returns
 * the short id a Slack view carries. Free text is checked before it is stored; drafts past their
 * expiry are removed on the way.
 */
export async function holdRequestDraft(deps: Pick<Deps, 'db' | 'clock'>, userId: string, input: DraftInput): Promise<string> {
  assertText(input.datasetId, 'datasetId');
  assertText(input.duration, 'duration');
  assertText(input.reason, 'reason');
  const now = deps.clock.now();
  const id = randomBytes(16).toString('base64url');
  await repo.deleteExpiredDrafts(deps.db, now);
  await repo.insertDraft(deps.db, {
    id,
    userId,
    datasetId: input.datasetId,
    duration: input.duration ?? null,
    reason: input.reason ?? null,
    policyVersion: input.policyVersion,
    createdAt: now,
    expiresAt: addHours(now, DRAFT_TTL_HOURS),
  });
  return id;
}

/** The caller's own unexpired draft named by a view's private_metadata, or undefined. */
export async function findRequestDraft(deps: Pick<Deps, 'db' | 'clock'>, userId: string, id: string): Promise<RequestDraft | undefined> {
  if (!DRAFT_ID_RE.test(id)) return undefined;
  return repo.findDraft(deps.db, id, userId, deps.clock.now());
}

/** Once the request is sent, its draft is gone. */
export async function dropRequestDraft(deps: Pick<Deps, 'db'>, id: string): Promise<void> {
  await repo.deleteDraft(deps.db, id);
}
