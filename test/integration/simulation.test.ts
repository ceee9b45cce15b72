import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { verifyAuditChain } from '../../src/modules/audit/audit.usecases.js';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { DEFAULT_CONFIG, type SimulationConfig } from '../../simulation/organisation.js';
import { toCsv, toMarkdown } from '../../simulation/report.js';
import { runSimulation, type SimulationResult } from '../../simulation/simulate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

// a small organisation over a few weeks: the same code path as `npm run simulate`, in less time
const SMALL: SimulationConfig = { ...DEFAULT_CONFIG, marketers: 50, weeks: 3 };

let first: { result: SimulationResult; database: TestDatabase };
let second: SimulationResult;

beforeAll(async () => {
  const database = await createTestDatabase();
  first = { result: await runSimulation(SMALL, database), database };
  const again = await createTestDatabase();
  try {
    second = await runSimulation(SMALL, again);
  } finally {
    await again.destroy();
  }
}, 600_000);
afterAll(async () => {
  await first?.database.destroy();
});

describe('npm run simulate', () => {
  it('gives byte-identical output for the same seed, on a fresh database each time', () => {
    expect(toMarkdown(second)).toBe(toMarkdown(first.result));
    expect(toCsv(second)).toBe(toCsv(first.result));
    expect(first.result.bot).toHaveLength(SMALL.weeks);
  });

  it('holds less standing access with the bot than "grant once, keep forever" serving the same needs', () => {
    const sum = (weeks: SimulationResult['bot']) => weeks.reduce((s, w) => s + w.totalGrantDays, 0);
    const bot = sum(first.result.bot);
    const keepForever = sum(first.result.keepForever);
    expect(first.result.needs).toBeGreaterThan(0);
    expect(bot).toBeGreaterThan(0);
    expect(bot).toBeLessThan(keepForever);
    // from the second week on, keep-forever has accumulated more than the bot holds in any week
    for (const [i, week] of first.result.bot.entries()) if (i > 0) expect(week.totalGrantDays).toBeLessThan(first.result.keepForever[i]!.totalGrantDays);
  });

  it("agrees week by week with the product's own hygiene figures (the weekly summary's chart)", () => {
    expect(first.result.figures).toHaveLength(SMALL.weeks);
    for (const [i, week] of first.result.bot.entries()) {
      const figures = first.result.figures[i]!;
      for (const tier of Object.keys(week.grantDays) as Array<keyof typeof week.grantDays>) {
        expect(figures.byTier[tier], `week ${i + 1}, ${tier}`).toBeCloseTo(week.grantDays[tier], 6);
      }
    }
  });

  it('went through the real use cases: requests, grants and their audit trail are in the database, and the chain verifies', async () => {
    const { db } = first.database;
    const all = await db.select().from(grants);
    expect(all.length).toBeGreaterThan(0);
    // every grant came from a request, and was activated and (if it ended) ended on the audit trail
    const requests = await db.select({ id: accessRequests.id }).from(accessRequests).where(inArray(accessRequests.id, all.map((g) => g.requestId)));
    expect(requests).toHaveLength(all.length);
    const events = await db
      .select({ action: auditEvents.action, subjectId: auditEvents.subjectId })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectType, 'grant'), inArray(auditEvents.subjectId, all.map((g) => g.id))));
    for (const g of all) {
      const actions = events.filter((e) => e.subjectId === g.id).map((e) => e.action);
      expect(actions).toContain('grant.activated');
      if (g.status === 'expired') expect(actions).toContain('grant.expired');
      if (g.status === 'revoked') expect(actions).toContain('grant.revoked');
    }
    // people released early, grants expired, reviews ran: each path of the bot was taken
    const counted = new Map(first.result.actions.map((a) => [a.action, a.count]));
    for (const action of ['request.created', 'request.approved', 'policy.acknowledged', 'grant.extended', 'grant.expired', 'grant.revoked', 'review.started', 'review.revoked', 'review.closed']) {
      expect(counted.get(action) ?? 0, action).toBeGreaterThan(0);
    }
    expect(all.some((g) => g.endReason === 'released')).toBe(true);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
