import { describe, expect, it } from 'vitest';
import { weeklyStanding, type Holding } from '../../simulation/standing.js';

const DAY = 24 * 3600_000;
const start = new Date('2026-01-05T00:00:00Z');
const at = (days: number) => start.getTime() + days * DAY;

describe('weekly standing access (simulation)', () => {
  it('counts grant-days per tier within each week, and people holding sensitive data once however many datasets they hold', () => {
    const holdings: Holding[] = [
      // 3 days of internal data in week 1
      { userId: 'U1', tier: 'internal', from: at(1), to: at(4) },
      // restricted from day 5 to day 9: 2 days in week 1, 2 in week 2
      { userId: 'U2', tier: 'restricted', from: at(5), to: at(9) },
      // U2 also holds confidential data, days 6 to 8: overlaps the restricted grant, so U2 still counts once
      { userId: 'U2', tier: 'confidential', from: at(6), to: at(8) },
      // confidential, half a day in week 2
      { userId: 'U3', tier: 'confidential', from: at(10), to: at(10.5) },
    ];
    const [w1, w2] = weeklyStanding(holdings, start, 2);
    expect(w1!.grantDays).toEqual({ public: 0, internal: 3, confidential: 1, restricted: 2 });
    expect(w1!.totalGrantDays).toBe(6);
    // U2 holds sensitive data days 5–7: 2 person-days over 7 days
    expect(w1!.sensitiveHolders).toBeCloseTo(2 / 7);
    expect(w2!.grantDays).toEqual({ public: 0, internal: 0, confidential: 1.5, restricted: 2 });
    // U2 days 7–9 (2) and U3 half a day
    expect(w2!.sensitiveHolders).toBeCloseTo(2.5 / 7);
  });
});
