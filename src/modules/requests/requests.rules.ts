import type { Catalog, Dataset } from '../../catalog/catalog.js';
import type { Standing } from '../../shared/people.ports.js';
import { TEXT_LIMITS } from '../../shared/text.js';

/**
 * Who is asked to decide: the dataset's owners who may decide (`mayDecide`), never the requester.
 * When they are fewer than the policy's `approvals_required`, the admins who may decide are asked
 * as well, so the number is made up rather than silently lowered. The caller refuses the request
 * when the result is still shorter than `required`.
 */
export function planApprovers(
  catalog: Catalog,
  dataset: Dataset,
  requesterId: string,
  mayDecide: (userId: string) => boolean = () => true,
): { approvers: string[]; required: number } {
  const eligible = (id: string) => id !== requesterId && mayDecide(id);
  const owners = [...new Set(dataset.owners.filter(eligible))];
  const required = Math.max(1, dataset.policy.approvalsRequired);
  if (owners.length >= required) return { approvers: owners, required };
  const admins = [...new Set(catalog.admins.filter((id) => eligible(id) && !owners.includes(id)))];
  return { approvers: [...owners, ...admins], required };
}

export type DecisionRefusal = 'own_request' | 'not_an_approver';

/** Server-side check for a decision: owners and admins may decide, nobody decides their own request. */
export function checkDecider(
  catalog: Catalog,
  dataset: Dataset | undefined,
  request: { requesterId: string },
  deciderId: string,
): DecisionRefusal | undefined {
  if (deciderId === request.requesterId) return 'own_request';
  if (catalog.admins.includes(deciderId)) return undefined;
  if (dataset?.owners.includes(deciderId)) return undefined;
  return 'not_an_approver';
}

export const REASON_MAX_LENGTH = TEXT_LIMITS.reason;

const WORKDAY = { startHour: 9, endHour: 17 } as const;
const STEP_MINUTES = 5;
const MAX_STEPS = 20_000;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function localParts(date: Date, timeZone: string): { weekday: number; minutes: number } {
  let fmt = zoneFormats.get(timeZone);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    } catch {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    }
    zoneFormats.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(date).map((p) => [p.type, p.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * The moment `hours` working hours (Monday–Friday, 09:00–17:00 in `timeZone`) have passed after
 * `start`. A request made on Friday evening is not "late" on Saturday morning.
 * Counted in steps of STEP_MINUTES from `start`, a step being working time when it starts in it;
 * runs of steps that cannot change state (the rest of a workday, an hour of the night) are taken
 * at once, so a date costs a few dozen time-zone lookups instead of hundreds (the reconciler
 * computes it for every pending request every minute).
 */
export function addWorkingHours(start: Date, hours: number, timeZone = 'UTC'): Date {
  let remaining = Math.round(hours * 60);
  let t = start.getTime();
  const [open, close] = [WORKDAY.startHour * 60, WORKDAY.endHour * 60];
  // at most 20,000 steps (a few weeks): bounded even for odd inputs
  for (let taken = 0; remaining > 0 && taken < MAX_STEPS; ) {
    const { weekday, minutes } = localParts(new Date(t), timeZone);
    let steps: number;
    if (weekday >= 1 && weekday <= 5 && minutes >= open && minutes < close) {
      // working until the end of the day or until done (clocks change at night, not in working hours)
      steps = Math.min(Math.ceil((close - minutes) / STEP_MINUTES), Math.ceil(remaining / STEP_MINUTES), MAX_STEPS - taken);
      remaining -= steps * STEP_MINUTES;
    } else {
      // not working until 09:00 or, after it, until midnight; an hour at most, so a clock change is seen
      const next = minutes < open ? open : 24 * 60;
      steps = Math.min(Math.ceil((next - minutes) / STEP_MINUTES), 60 / STEP_MINUTES, MAX_STEPS - taken);
    }
    taken += steps;
    t += steps * STEP_MINUTES * 60_000;
  }
  return new Date(t);
}

/** Who may not take part (the type lives with the people-directory port). */
export type { Standing };

export function standingRefusal(standing: Standing): string | undefined {
  switch (standing) {
    case 'member':
      return undefined;
    case 'guest':
      return 'Guest accounts cannot do this: sensitive data and approvals are for full members of the workspace.';
    case 'deactivated':
      return 'This account is deactivated.';
    case 'bot':
      return 'Bots cannot request sensitive data or approve access.';
    default:
      return 'I could not check your Slack account just now, so nothing was changed. Please try again in a minute.';
  }
}
