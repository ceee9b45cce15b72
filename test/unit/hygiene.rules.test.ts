import { describe, expect, it } from 'vitest';
import { direction, grantDaysIn, peopleOnAverageDay, percentile, periodDays } from '../../src/modules/hygiene/figures.rules.js';
import { renderStandingChart } from '../../src/shared/chart/standing.chart.js';

const DAY = 24 * 3600_000;
const d = (days: number) => new Date(Date.UTC(2026, 2, 2) + days * DAY);
const period = { since: d(0), until: d(7), asOf: d(30) };

describe('hygiene rules', () => {
  it('percentiles interpolate linearly between the closest ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([4, 1, 3, 1], 0.5)).toBe(2);
    expect(percentile([1, 1, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(percentile([10, 20], 0.9)).toBe(19);
  });

  it('grant-days are the overlap of the held interval with the period, a held grant counted up to now', () => {
    expect(grantDaysIn({ startsAt: d(-3), endedAt: d(2) }, period)).toBe(2);
    expect(grantDaysIn({ startsAt: d(6), endedAt: null }, period)).toBe(1);
    expect(grantDaysIn({ startsAt: d(6), endedAt: null }, { ...period, asOf: d(6.5) })).toBe(0.5);
    expect(grantDaysIn({ startsAt: d(-3), endedAt: d(0) }, period)).toBe(0);
    expect(grantDaysIn({ startsAt: d(7), endedAt: d(9) }, period)).toBe(0);
    expect(periodDays({ ...period, asOf: d(3) })).toBe(3);
  });

  it('people on an average day count a person once while they hold two grants at once', () => {
    const grants = [
      { userId: 'A', startsAt: d(0), endedAt: d(4) },
      { userId: 'A', startsAt: d(2), endedAt: d(6) },
      { userId: 'B', startsAt: d(5), endedAt: null },
    ];
    // A: [0, 6) = 6 days; B: [5, 7) = 2 days
    expect(peopleOnAverageDay(grants, period)).toBeCloseTo(8 / 7, 12);
  });

  it('directions: within 5% is steady; whether a move is good depends on the figure', () => {
    expect(direction(100, 104, 'lower')).toEqual({ direction: 'flat', verdict: 'same' });
    expect(direction(80, 100, 'lower')).toEqual({ direction: 'down', verdict: 'better' });
    expect(direction(0.8, 0.5, 'higher')).toEqual({ direction: 'up', verdict: 'better' });
    expect(direction(3, 0, 'lower')).toEqual({ direction: 'up', verdict: 'worse' });
    expect(direction(0, 0, 'lower')).toEqual({ direction: 'flat', verdict: 'same' });
    expect(direction(null, 2, 'lower')).toEqual({ direction: 'none', verdict: 'unknown' });
  });

  it('the standing chart renders to a PNG', async () => {
    const weeks = Array.from({ length: 12 }, (_, i) => ({ since: d(7 * i), until: d(7 * i + 7), byTier: { public: 10, internal: 20 - i, confidential: 12 - i, restricted: 8 - i / 2 } }));
    const png = await renderStandingChart(weeks);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(900); // IHDR width
    expect(png.readUInt32BE(20)).toBe(420);
    expect(png.length).toBeGreaterThan(10_000);
  }, 30_000);
});
