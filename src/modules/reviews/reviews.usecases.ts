import { randomUUID } from 'node:crypto';
import { addDays } from 'date-fns/addDays';
import { DEFAULT_REVIEW, findDataset } from '../../catalog/catalog.js';
import { actorId, isOperator, type Actor } from '../../shared/actor.js';
import { groupBy } from '../../shared/collections.js';
import { domainError } from '../../shared/errors.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { listGrantsByIds, revokeForReview, type Grant } from '../grants/index.js';
import { requestReasons } from '../requests/requests.usecases.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { DigestView } from '../notifications/notifications.ports.js';
import * as repo from './reviews.repository.js';
import type { Campaign, ReviewItem } from './reviews.repository.js';
import { mayReview, reviewersLookup, reviewersOfItems } from './reviews.rules.js';
import type { ReviewDecision } from './reviews.table.js';

export const reviewErrors = {
  notFound: () => domainError('reviews.not_found', {}, 'That review item no longer exists.'),
  closed: () => domainError('reviews.closed', {}, 'That access review is closed; its results are final.'),
  /** `campaignId` undefined: the latest was asked for and there is none */
  campaignNotFound: (campaignId: string | undefined) =>
    domainError('reviews.campaign_not_found', { campaignId }, campaignId ? `There is no access review with id ${campaignId}.` : 'No access review has been started yet.'),
  notOwner: (datasetId: string) =>
    domainError('reviews.not_owner', { datasetId }, `Only the owners of ${datasetId} and the access admins can review its grants. Nothing was changed.`),
  ownGrant: (datasetId: string) =>
    domainError(
      'reviews.own_grant',
      { datasetId },
      `Nobody reviews their own access: another owner of ${datasetId} or an access admin decides on your grant. Nothing was changed.`,
    ),
  notAdmin: () => domainError('reviews.not_admin', {}, 'Only access admins can start a review.'),
};

/** The ports deciding review items uses (a revoke ends the grant through the grants module). */
export type ReviewDecisionDeps = Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'onGrantEnding'>;

const settings = (deps: Pick<Deps, 'catalog'>) => deps.catalog.review ?? DEFAULT_REVIEW;
const ownersOf = (deps: Pick<Deps, 'catalog'>, datasetId: string) => findDataset(deps.catalog, datasetId)?.owners ?? [];

/**
 * Starts an access review: every active grant becomes an item, and each reviewer gets one digest
 * of the grants they are asked about (an owner's own grant goes to another owner, or the admins). Only one review is open at a time; starting while one is
 * open returns the open one.
 */
export async function startReview(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'logger'>, actor: Actor): Promise<{ campaign: Campaign; created: boolean }> {
  const startedBy = actorId(actor);
  if (!isOperator(actor) && startedBy !== 'system' && !deps.catalog.admins.includes(startedBy)) throw reviewErrors.notAdmin();
  const open = await repo.findOpenCampaign(deps.db);
  if (open) return { campaign: open, created: false };
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    // the one-open-review index makes a concurrent start wait here, then find this one
    const campaign = await repo.insertCampaign(tx, { id: randomUUID(), startedAt: now, startedBy, deadline: addDays(now, settings(deps).deadlineDays) });
    if (!campaign) return undefined;
    // every active grant becomes an item inside Postgres: however many there are, none is held here
    const grants = await repo.insertItemsForActiveGrants(tx, campaign.id);
    await appendAudit(tx, { at: now, actorId: startedBy, action: 'review.started', subjectType: 'review', subjectId: campaign.id, details: { grants } });
    const people = [...new Set([...deps.catalog.admins, ...deps.catalog.datasets.flatMap((d) => d.owners)])];
    const reviewers = reviewersOfItems(deps.catalog, await repo.listReviewerKeys(tx, campaign.id, people));
    const ids = await addToOutbox(tx, now, reviewers.map((ownerId) => outboxMessage('review_digest', { campaignId: campaign.id, ownerId })));
    return { campaign, ids, grants };
  });
  if (!result) return { campaign: (await repo.findOpenCampaign(deps.db))!, created: false };
  deps.logger.info({ campaignId: result.campaign.id, grants: result.grants, digests: result.ids.length }, 'access review started');
  // if this fails the reconciler enqueues the digests from the outbox
  await deps.jobs.enqueueDeliveries(result.ids).catch((err) => deps.logger.warn({ err }, 'digests not enqueued; the reconciler will'));
  return { campaign: result.campaign, created: true };
}

/**
 * Keep or revoke one grant in the open review. Owners (of that dataset) and admins decide, never
 * the grantee; the first decision wins. Revoke takes the access away through the connector and tells the holder.
 */
export async function decideReviewItem(deps: ReviewDecisionDeps, itemId: string, userId: string, decision: ReviewDecision): Promise<{ changed: boolean; item: ReviewItem }> {
  const item = await repo.findItem(deps.db, itemId);
  if (!item) throw reviewErrors.notFound();
  if (item.userId === userId) throw reviewErrors.ownGrant(item.datasetId);
  if (!mayReview(deps.catalog, item, userId)) throw reviewErrors.notOwner(item.datasetId);
  const campaign = await repo.findCampaign(deps.db, item.campaignId);
  if (campaign?.status !== 'open') throw reviewErrors.closed();
  const [changed] = await applyDecisions(deps, [item], userId, decision, false);
  return { changed: !!changed, item: (await repo.findItem(deps.db, itemId))! };
}

/**
 * "Keep all" / "Revoke all" for one dataset's undecided items in the open review, except the
 * caller's own grant, which is left to another reviewer (counted in `ownLeft`).
 */
export async function decideReviewDataset(
  deps: ReviewDecisionDeps,
  campaignId: string,
  datasetId: string,
  userId: string,
  decision: ReviewDecision,
): Promise<{ decided: number; ownLeft: number }> {
  if (!ownersOf(deps, datasetId).includes(userId) && !deps.catalog.admins.includes(userId)) throw reviewErrors.notOwner(datasetId);
  const campaign = await repo.findCampaign(deps.db, campaignId);
  if (campaign?.status !== 'open') throw reviewErrors.closed();
  const open = (await repo.listItems(deps.db, campaignId, [datasetId])).filter((i) => !i.decision);
  const decided = await applyDecisions(deps, open.filter((i) => mayReview(deps.catalog, i, userId)), userId, decision, false);
  return { decided: decided.length, ownLeft: open.filter((i) => i.userId === userId).length };
}

/** Grants read per query when a digest is loaded. */
const READ_BATCH = 1_000;

/** Items decided per transaction: one guarded UPDATE and one audit append for each batch. */
const DECISION_BATCH = 500;

/**
 * Records decisions in bounded batches (each one transaction: the guarded UPDATE, first decision
 * wins, and one audit event per item), then takes revoked access away grant by grant. Reviewers'
 * digests are redrawn once at the end unless `redraw` is false (the close redraws them all).
 */
async function applyDecisions(deps: ReviewDecisionDeps, items: ReviewItem[], actorId: string, decision: ReviewDecision, automatic: boolean, redraw = true): Promise<ReviewItem[]> {
  const now = deps.clock.now();
  const decided: ReviewItem[] = [];
  for (let i = 0; i < items.length; i += DECISION_BATCH) {
    const batch = items.slice(i, i + DECISION_BATCH);
    const rows = await deps.db.transaction(async (tx) => {
      const updated = (await repo.decideItems(tx, batch.map((item) => item.id), decision, actorId, now, automatic)).sort((a, b) => a.position - b.position);
      const action = decision === 'keep' ? 'review.kept' : 'review.revoked';
      await appendAudit(
        tx,
        ...updated.map((item) => ({
          at: now,
          actorId,
          action,
          subjectType: 'grant' as const,
          subjectId: item.grantId,
          details: { campaignId: item.campaignId, datasetId: item.datasetId, userId: item.userId, automatic },
        })),
      );
      return updated;
    });
    decided.push(...rows);
    if (decision === 'revoke') {
      // the holders are told why: one note for a reviewer's decisions, one per dataset at the deadline
      const noteFor = (item: ReviewItem) =>
        automatic ? `Not reviewed by the access review's deadline; the policy for \`${item.datasetId}\` removes unreviewed access.` : 'Not kept in the weekly access review.';
      for (const [note, items] of groupBy(rows, noteFor)) await revokeForReview(deps, items.map((i) => i.grantId), actorId, note);
    }
  }
  if (decided.length && redraw) {
    const reviewers = reviewersOfItems(deps.catalog, decided);
    const ids = await addToOutbox(deps.db, now, reviewers.map((ownerId) => outboxMessage('review_digest_update', { campaignId: items[0]!.campaignId, ownerId })));
    await deps.jobs.enqueueDeliveries(ids).catch(() => undefined);
  }
  return decided;
}

/**
 * What a reviewer's digest shows, in a stable order: the items they are asked about
 * (`assigned`), or every item they may decide (`decidable`: for an admin, all but their own).
 */
export async function loadDigest(deps: Pick<Deps, 'db' | 'catalog'>, campaignId: string, ownerId: string, scope: 'assigned' | 'decidable' = 'assigned'): Promise<DigestView | undefined> {
  const campaign = await repo.findCampaign(deps.db, campaignId);
  if (!campaign) return undefined;
  // an admin may be asked about (or decide) grants on any dataset
  const candidates = deps.catalog.admins.includes(ownerId) ? undefined : deps.catalog.datasets.filter((d) => d.owners.includes(ownerId)).map((d) => d.id);
  const reviewersOf = reviewersLookup(deps.catalog);
  const isAdmin = deps.catalog.admins.includes(ownerId);
  const shown = (item: ReviewItem) =>
    scope === 'assigned' ? reviewersOf(item).includes(ownerId) : item.userId !== ownerId && (isAdmin || reviewersOf(item).includes(ownerId));
  const datasets: DigestView['datasets'] = [];
  // only the reviewer's items are joined with their grants and reasons, in bounded reads
  const items = (candidates?.length === 0 ? [] : await repo.listItems(deps.db, campaignId, candidates)).filter(shown);
  const grants = new Map<string, Grant>();
  const reasons = new Map<string, string | null>();
  for (let i = 0; i < items.length; i += READ_BATCH) {
    const batch = await listGrantsByIds(deps.db, items.slice(i, i + READ_BATCH).map((item) => item.grantId));
    for (const g of batch) grants.set(g.id, g);
    for (const [id, reason] of await requestReasons(deps, batch.map((g) => g.requestId))) reasons.set(id, reason);
  }
  const groups = new Map<string, DigestView['datasets'][number]>();
  for (const item of items) {
    const grant = grants.get(item.grantId);
    if (!grant) continue;
    const { startsAt, endsAt } = grant;
    const reason = reasons.get(grant.requestId) ?? null;
    let group = groups.get(item.datasetId);
    if (!group) {
      group = { id: item.datasetId, name: findDataset(deps.catalog, item.datasetId)?.name ?? item.datasetId, items: [] };
      groups.set(item.datasetId, group);
      datasets.push(group);
    }
    group.items.push({
      id: item.id,
      userId: item.userId,
      since: startsAt,
      until: endsAt,
      reason,
      decision: item.decision,
      decidedBy: item.decidedBy,
      automatic: item.automatic,
    });
  }
  return { campaignId, ownerId, deadline: campaign.deadline, open: campaign.status === 'open', datasets };
}

/**
 * The undecided items of the open review the caller may decide (for `/access review` and the
 * Home tab): an owner's are those on their datasets except their own grants; an admin's are all
 * open items except their own, whoever was asked.
 */
export async function myOpenReviewItems(deps: Pick<Deps, 'db' | 'catalog'>, userId: string): Promise<DigestView | undefined> {
  const open = await repo.findOpenCampaign(deps.db);
  if (!open) return undefined;
  const digest = await loadDigest(deps, open.id, userId, 'decidable');
  if (!digest) return undefined;
  digest.datasets = digest.datasets.map((d) => ({ ...d, items: d.items.filter((i) => !i.decision) })).filter((d) => d.items.length);
  return digest;
}

/**
 * At the deadline: what nobody reviewed follows its dataset's policy (keep, or revoke), in bounded
 * batches. No digest is redrawn here: closing the review redraws each one once.
 */
export async function applyDeadlineDecisions(deps: ReviewDecisionDeps, items: ReviewItem[]): Promise<void> {
  const policyOf = new Map<string, ReviewDecision>();
  const policyFor = (datasetId: string): ReviewDecision => {
    let p = policyOf.get(datasetId);
    if (!p) policyOf.set(datasetId, (p = findDataset(deps.catalog, datasetId)?.policy.reviewDefault ?? 'revoke'));
    return p;
  };
  for (const [policy, list] of groupBy(items, (item) => policyFor(item.datasetId))) await applyDecisions(deps, list, 'system', policy, true, false);
}
