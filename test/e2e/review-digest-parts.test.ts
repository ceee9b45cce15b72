import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewMessages } from '../../src/shared/db/schema.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { scaleCatalog, scaleOwnerId, seedActiveGrants } from '../helpers/seed-grants.js';
import { outboxDrained } from '../helpers/signals.js';

let t: TestBot;
const owner = scaleOwnerId(0);

beforeAll(async () => {
  // one dataset, one owner, 60 grants: a digest of 3 messages (50 blocks each at most)
  const shape = { datasets: 1, perDataset: 60 };
  const catalog = scaleCatalog(shape, [USERS.admin]);
  catalog.review = { enabled: false, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24 };
  t = await startTestBot({ catalog });
  await seedActiveGrants(t.database.db, shape, new Date());
});
afterAll(async () => {
  await t?.stop();
});

const partsTo = (userId: string) =>
  t.slack
    .dmsTo(userId)
    .filter((c) => c.args.text === 'Weekly access review')
    .map((c) => JSON.stringify(c.args.blocks).match(/Part (\d) of (\d)/)?.[0]);

describe('a digest of several messages', () => {
  it('is posted once per part when Slack fails half-way through: the retry resumes after the parts already posted', async () => {
    // part 1 lands; part 2 fails on every try the Web API client makes, so the delivery job fails and is retried
    t.slack.failNext('chat.postMessage', { status: 'pass' });
    t.slack.failNext('chat.postMessage', { status: 500 }, 3);
    const started = await t.command(USERS.admin, 'review start');
    expect(started.status).toBe(200);

    await t.slack.waitFor(() => partsTo(owner).length === 3, 'all three parts', 30_000);
    await outboxDrained(t, 30_000);
    expect(t.slack.callsTo('chat.postMessage#failed')).toHaveLength(3);
    expect(partsTo(owner)).toEqual(['Part 1 of 3', 'Part 2 of 3', 'Part 3 of 3']);
    expect((await t.database.db.select().from(reviewMessages)).map((m) => m.part).sort()).toEqual([0, 1, 2]);
  });
});
