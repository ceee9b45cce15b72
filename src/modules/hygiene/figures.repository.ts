/**
 * Read-only reporting queries for the hygiene figures. They only SELECT from the tables of the
 * grants, requests, reviews, nudges and audit modules (never write them), so the figures read
 * exactly what those modules recorded. The maths is in figures.rules.ts.
 */
import { and, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { accessRequests, auditEvents, grants, reviewCampaigns, reviewItems, sensitiveDataNudges } from '../../shared/db/schema.js';
import type { CoachingRow, DecidedRequestRow, HeldGrantRow, ReviewItemRow } from './figures.rules.js';

/**
 * Grants held at some moment of [since, until): they became active (so not `provisioning` or
 * `failed`, and not a failed grant being cleaned up), started before `until`, and had not ended by `since`.
 */
export async function heldGrantsBetween(db: DbOrTx, since: Date, until: Date): Promise<HeldGrantRow[]> {
  // written out with aliases: drizzle leaves column names unqualified in a single-table select,
  // and an unqualified "id" inside the subquery would be the audit event's
  const extensions = sql<number>`(select count(*) from ${auditEvents} e where e.subject_type = 'grant' and e.action = 'grant.extended' and e.subject_id = "grants"."id"::text)`;
  const rows = await db
    .select({
      id: grants.id,
      datasetId: grants.datasetId,
      userId: grants.userId,
      startsAt: grants.startsAt,
      endedAt: grants.endedAt,
      endReason: grants.endReason,
      extensions: extensions.mapWith(Number),
    })
    .from(grants)
    .where(
      and(
        notInArray(grants.status, ['provisioning', 'failed']),
        or(isNull(grants.endReason), ne(grants.endReason, 'provision_failed')),
        lt(grants.startsAt, until),
        or(isNull(grants.endedAt), gt(grants.endedAt, since)),
      ),
    );
  return rows;
}

/** Requests approved or denied by a person (not auto-approved by policy) with decidedAt in [since, until). */
export async function requestsDecidedBetween(db: DbOrTx, since: Date, until: Date): Promise<DecidedRequestRow[]> {
  const rows = await db
    .select({ datasetId: accessRequests.datasetId, createdAt: accessRequests.createdAt, decidedAt: accessRequests.decidedAt })
    .from(accessRequests)
    .where(
      and(
        inArray(accessRequests.status, ['approved', 'denied']),
        ne(accessRequests.decidedBy, 'system'),
        isNotNull(accessRequests.decidedAt),
        gte(accessRequests.decidedAt, since),
        lt(accessRequests.decidedAt, until),
      ),
    );
  return rows.map((r) => ({ ...r, decidedAt: r.decidedAt! }));
}

/** Items of the access reviews whose deadline is in [since, until). */
export async function reviewItemsDueBetween(db: DbOrTx, since: Date, until: Date): Promise<ReviewItemRow[]> {
  return db
    .select({ datasetId: reviewItems.datasetId, deadline: reviewCampaigns.deadline, decidedAt: reviewItems.decidedAt, automatic: reviewItems.automatic })
    .from(reviewItems)
    .innerJoin(reviewCampaigns, eq(reviewItems.campaignId, reviewCampaigns.id))
    .where(and(gte(reviewCampaigns.deadline, since), lt(reviewCampaigns.deadline, until)));
}

/** People coached about sensitive data posted in Slack in [since, until) (findings only recorded are left out). */
export async function coachingsBetween(db: DbOrTx, since: Date, until: Date): Promise<CoachingRow[]> {
  return db
    .select({ fixedAt: sensitiveDataNudges.fixedAt })
    .from(sensitiveDataNudges)
    .where(and(eq(sensitiveDataNudges.nudged, true), gte(sensitiveDataNudges.at, since), lt(sensitiveDataNudges.at, until)));
}
