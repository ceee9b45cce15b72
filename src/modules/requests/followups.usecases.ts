import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage, type OutboxMessage } from '../notifications/messages/messages.js';
import { mayBeAsked } from './approvers.usecases.js';
import { requestEvent } from './approvals.usecases.js';
import * as repo from './requests.repository.js';
import { addWorkingHours } from './requests.rules.js';
import { groupBy } from '../../shared/collections.js';
import { eachPage } from '../../shared/db/keyset.js';

export interface FollowUpReport {
  reminded: number;
  escalated: number;
  expired: number;
}

/**
 * Keeps pending requests moving. Run by the reconciler every minute:
 * - an approver who has not answered within `approvalReminderWorkingHours` working hours (in
 *   their own time zone) is reminded, once;
 * - after `approvalEscalationWorkingHours` more, the request goes to the admins as well;
 * - a request nobody decided within `pendingRequestExpiryHours` expires, and the requester is told.
 * Each step is guarded in SQL, so two reconcilers never send a reminder twice.
 */
export async function followUpPendingRequests(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'people' | 'settings'>): Promise<FollowUpReport> {
  const now = deps.clock.now();
  const s = deps.settings;
  const report: FollowUpReport = { reminded: 0, escalated: 0, expired: 0 };

  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
  const due = {
    expiresBefore: hoursAgo(s.pendingRequestExpiryHours),
    escalatesBefore: hoursAgo(s.approvalReminderWorkingHours + s.approvalEscalationWorkingHours),
    remindsBefore: hoursAgo(s.approvalReminderWorkingHours),
  };
  // bounded pages, oldest first, of only the requests something may be due for
  await eachPage(
    FOLLOW_UP_PAGE,
    (after: { createdAt: Date; id: string } | undefined) => repo.listPendingFollowUps(deps.db, due, { after, limit: FOLLOW_UP_PAGE }),
    (last) => ({ createdAt: last.createdAt, id: last.id }),
    (page) => followUpPage(deps, page, now, report),
  );
  return report;
}

/** Pending requests read in one page at most. */
const FOLLOW_UP_PAGE = 500;

async function followUpPage(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'people' | 'settings'>, pendingRequests: repo.AccessRequest[], now: Date, report: FollowUpReport): Promise<void> {
  const s = deps.settings;
  const people = await repo.listApproversAndApprovals(deps.db, pendingRequests.map((r) => r.id));
  const approversOf = groupBy(people.approvers, (a) => a.requestId);
  const approvalsOf = groupBy(people.approvals, (a) => a.requestId);
  for (const request of pendingRequests) {
    if (now.getTime() - request.createdAt.getTime() >= s.pendingRequestExpiryHours * 3600_000) {
      const ids = await deps.db.transaction(async (tx) => {
        if (!(await repo.closeRequest(tx, request.id, 'expired', now))) return [];
        await appendAudit(tx, requestEvent(request, now, 'system', 'request.expired', { afterHours: s.pendingRequestExpiryHours }));
        return addToOutbox(tx, now, [
          outboxMessage('approver_messages', { requestId: request.id }),
          outboxMessage('request_expired', { requestId: request.id }),
        ]);
      });
      await deps.jobs.enqueueDeliveries(ids);
      report.expired += ids.length ? 1 : 0;
      continue;
    }

    const approvers = approversOf.get(request.id) ?? [];
    const approved = new Set((approvalsOf.get(request.id) ?? []).map((a) => a.approverId));
    const reminders: OutboxMessage[] = [];
    for (const a of approvers) {
      if (a.escalation || a.remindedAt || !a.askedAt || approved.has(a.approverId)) continue;
      if (addWorkingHours(a.askedAt, s.approvalReminderWorkingHours, a.timeZone ?? 'UTC') > now) continue;
      if (await repo.markApproverReminded(deps.db, request.id, a.approverId, now)) {
        reminders.push(outboxMessage('approval_reminder', { requestId: request.id, approverId: a.approverId }));
      }
    }
    if (reminders.length) {
      await deps.jobs.enqueueDeliveries(await addToOutbox(deps.db, now, reminders));
      report.reminded += reminders.length;
    }

    if (request.escalatedAt) continue;
    const firstZone = approvers.find((a) => !a.escalation)?.timeZone ?? 'UTC';
    const escalateAt = addWorkingHours(request.createdAt, s.approvalReminderWorkingHours + s.approvalEscalationWorkingHours, firstZone);
    if (escalateAt <= now) {
      const asked = new Set(approvers.map((a) => a.approverId));
      const candidates = deps.catalog.admins.filter((id) => id !== request.requesterId && !asked.has(id));
      const standing = await Promise.all(candidates.map((id) => deps.people.standing(id).catch(() => 'unknown' as const)));
      const admins = candidates.filter((_, i) => mayBeAsked(standing[i]!));
      const ids = await deps.db.transaction(async (tx) => {
        if (!(await repo.markEscalated(tx, request.id, now))) return [];
        await repo.addApprovers(tx, request.id, admins, true);
        await appendAudit(tx, requestEvent(request, now, 'system', 'request.escalated', { to: admins }));
        return addToOutbox(tx, now, admins.map((approverId) => outboxMessage('approval_request', { requestId: request.id, approverId })));
      });
      await deps.jobs.enqueueDeliveries(ids);
      if (ids.length) report.escalated++;
    }
  }
}
