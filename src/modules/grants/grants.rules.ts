import { addMinutes } from 'date-fns/addMinutes';
import type { Policy } from '../../catalog/policy.js';

/** When a grant of `durationMinutes` that starts at `start` ends. */
export function grantEnd(start: Date, durationMinutes: number): Date {
  return addMinutes(start, durationMinutes);
}

/** The latest end a grant may have under its dataset's policy: its start plus the maximum total duration. */
export function latestEnd(grant: { startsAt: Date }, policy: Pick<Policy, 'maxTotalMinutes'>): Date {
  return addMinutes(grant.startsAt, policy.maxTotalMinutes);
}

/** The end a holder asks for when extending by `minutes`; undefined when it would pass the policy's total. */
export function requestedEnd(grant: { startsAt: Date; endsAt: Date }, minutes: number, policy: Pick<Policy, 'maxTotalMinutes'>): Date | undefined {
  const wanted = addMinutes(grant.endsAt, minutes);
  return wanted > latestEnd(grant, policy) ? undefined : wanted;
}

/** The end an approved extension gives: as asked, but never past the policy's total (the grant may have been extended since). */
export function approvedEnd(grant: { startsAt: Date; endsAt: Date }, minutes: number, policy: Pick<Policy, 'maxTotalMinutes'>): Date {
  const wanted = addMinutes(grant.endsAt, minutes);
  const limit = latestEnd(grant, policy);
  return wanted > limit ? limit : wanted;
}

/** Whether an extension of `minutes` stays within the policy's allowance for extending without approval, counted per grant. */
export function withinSelfExtension(grant: { selfExtendedMinutes: number }, minutes: number, policy: Pick<Policy, 'selfExtendMinutes'>): boolean {
  return grant.selfExtendedMinutes + minutes <= policy.selfExtendMinutes;
}
