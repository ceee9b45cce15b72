import { describe, expect, it } from 'vitest';
import { approvedEnd, grantEnd, latestEnd, requestedEnd, withinSelfExtension } from '../../src/modules/grants/grants.rules.js';

const HOUR = 60;
const DAY = 24 * HOUR;
const start = new Date('2026-03-02T09:00:00Z');
const at = (days: number, hours = 0) => new Date(start.getTime() + (days * DAY + hours * HOUR) * 60_000);
// a grant of 2 days on a dataset allowing 4 days in all
const grant = { startsAt: start, endsAt: at(2), selfExtendedMinutes: 0 };
const policy = { maxTotalMinutes: 4 * DAY, selfExtendMinutes: 12 * HOUR };

describe('grant rules', () => {
  it('a grant ends its duration after it starts', () => {
    expect(grantEnd(start, 90)).toEqual(new Date('2026-03-02T10:30:00Z'));
  });

  it('the latest end is the start plus the maximum total duration, however often it was extended', () => {
    expect(latestEnd(grant, policy)).toEqual(at(4));
    const extended = { ...grant, endsAt: at(3) };
    expect(latestEnd(extended, policy)).toEqual(at(4));
  });

  it('an extension the holder asks for may reach the latest end, never pass it', () => {
    expect(requestedEnd(grant, DAY, policy)).toEqual(at(3));
    expect(requestedEnd(grant, 2 * DAY, policy)).toEqual(at(4));
    expect(requestedEnd(grant, 2 * DAY + 1, policy)).toBeUndefined();
  });

  it('an approved extension is capped at the latest end (the grant may have been extended since it was asked)', () => {
    expect(approvedEnd(grant, DAY, policy)).toEqual(at(3));
    expect(approvedEnd({ ...grant, endsAt: at(3, 12) }, DAY, policy)).toEqual(at(4));
  });

  it('the self-extension allowance counts every extension taken without approval on the grant', () => {
    expect(withinSelfExtension(grant, 12 * HOUR, policy)).toBe(true);
    expect(withinSelfExtension(grant, 12 * HOUR + 1, policy)).toBe(false);
    expect(withinSelfExtension({ selfExtendedMinutes: 8 * HOUR }, 4 * HOUR, policy)).toBe(true);
    expect(withinSelfExtension({ selfExtendedMinutes: 8 * HOUR }, 5 * HOUR, policy)).toBe(false);
    expect(withinSelfExtension(grant, 1, { selfExtendMinutes: 0 })).toBe(false);
  });
});
