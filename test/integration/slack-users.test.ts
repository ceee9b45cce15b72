import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackUserDirectory } from '../../src/slack/users.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeSlack } from '../helpers/fake-slack.js';

describe('the Slack profile cache', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await new FakeSlack().start();
    for (const id of ['U1', 'U2', 'U3', 'U4']) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  });
  afterAll(() => slack.stop());

  const lookups = (user: string) => slack.callsTo('users.info').filter((c) => c.args.user === user).length;

  it('answers from the cache, and keeps at most its bound, dropping the profile fetched longest ago', async () => {
    const people = slackUserDirectory(new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl }), { maxProfiles: 2 });
    expect(await people.email('U1')).toBe('u1@acme.test');
    expect(await people.timeZone('U1')).toBe('Europe/Berlin');
    expect(lookups('U1')).toBe(1);

    await people.standing('U2');
    // a third profile: U1, fetched first, is dropped; U2 stays
    await people.standing('U3');
    await people.standing('U2');
    expect(lookups('U2')).toBe(1);
    expect(await people.email('U1')).toBe('u1@acme.test');
    expect(lookups('U1')).toBe(2);
    // U1 came back, so U2 (now the oldest) went
    await people.standing('U2');
    expect(lookups('U2')).toBe(2);
  });
});

describe('the warmed Slack directory', () => {
  let slack: FakeSlack;
  const person = (i: number) => `U0P${String(i).padStart(4, '0')}`;
  const lookups = (user: string) => slack.callsTo('users.info').filter((c) => c.args.user === user).length;
  const directory = (maxProfiles = 10_000) => {
    const client = new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    return slackUserDirectory(client, { maxProfiles });
  };
  beforeAll(async () => {
    slack = await new FakeSlack().start();
    for (let i = 0; i < 1000; i++) slack.users.set(person(i), { tz: 'Europe/Berlin', email: `p${i}@acme.test`, guest: i === 7, deleted: i === 8 });
  });
  afterAll(() => slack.stop());

  it('stops walking at its bound, holds no more than it, and still lists everyone when asked', async () => {
    const listed = slack.callsTo('users.list').length;
    const people = directory(250);
    const warm = people.keepWarm(createLogger('silent'));
    await warm.warmed;
    // 200 a page: the second page reaches the bound of 250, and the walk ends there
    expect(slack.callsTo('users.list').length - listed).toBe(2);
    expect(slack.callsTo('users.list').every((c) => Number(c.args.limit) === 200)).toBe(true);
    expect(await people.standing(person(0))).toBe('member');
    expect(await people.standing(person(7))).toBe('guest');
    expect(await people.standing(person(8))).toBe('deactivated');
    expect(await people.timeZone(person(249))).toBe('Europe/Berlin');
    expect(await people.email(person(249))).toBe('p249@acme.test');
    for (const i of [0, 7, 8, 249]) expect(lookups(person(i))).toBe(0);
    // on the second page but past the bound: asked with users.info
    expect(await people.standing(person(250))).toBe('member');
    expect(lookups(person(250))).toBe(1);

    // everyone() pages to the end, without caching past the bound
    const everyone = await people.everyone();
    expect(slack.callsTo('users.list').length - listed).toBe(2 + 5);
    expect(everyone).toHaveLength(999); // not the deactivated one
    expect(everyone).toContainEqual({ id: person(999), email: 'p999@acme.test' });
    expect(everyone).toContainEqual({ id: person(7), email: 'p7@acme.test' });
    // still cached: the walk did not push the bounded cache's first profiles out
    for (const i of [1, 2, 3]) await people.standing(person(i));
    for (const i of [1, 2, 3]) expect(lookups(person(i))).toBe(0);
    // the one profile asked past the bound was pushed out by the walk's fresher ones
    await people.standing(person(260));
    expect(lookups(person(260))).toBe(1);
    await warm.stop();
  });

  it('a change announced while a page is on its way is not overwritten by that page', async () => {
    const people = directory();
    slack.delay('users.list', 300);
    try {
      const before = slack.received.filter((m) => m === 'users.list').length;
      const warm = people.keepWarm(createLogger('silent'));
      await slack.waitFor(() => slack.received.filter((m) => m === 'users.list').length > before, 'the walk to ask Slack');
      people.changed({ id: person(3), standing: 'deactivated', tz: 'UTC' });
      await warm.warmed;
      expect(await people.standing(person(3))).toBe('deactivated');
      expect(await people.standing(person(4))).toBe('member');
      expect((await people.everyone()).some((p) => p.id === person(3))).toBe(false);
      expect(lookups(person(3)) + lookups(person(4))).toBe(0);
      await warm.stop();
    } finally {
      slack.delay('users.list', 0);
    }
  });

  it('a walk someone waits for (everyone(), for a login rule) waits out a 429 instead of failing; only background walks hand it back', async () => {
    // as the bot builds it: the main client waits out rate limits, the background walks' does not
    const waiting = new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    const people = slackUserDirectory(waiting, { listClient: new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }) });
    slack.failNext('users.list', { status: 429, retryAfter: 1 });
    const everyone = await people.everyone();
    expect(everyone.map((p) => p.id)).toContain(person(999));
    expect(everyone).toHaveLength(999);
  });

  it('a background walk that meets a 429 waits as long as Slack says, then asks for the same page again: it goes on, never back to the first page', async () => {
    const people = directory();
    const before = slack.callsTo('users.list').length;
    // users.list is Tier 2: the third page of this walk is refused for a second
    slack.failNext('users.list', { status: 'pass' }, 2);
    slack.failNext('users.list', { status: 429, retryAfter: 1 });
    const lines: string[] = [];
    const started = performance.now();
    const warm = people.keepWarm(createLogger('debug', { write: (l) => lines.push(l) }));
    await warm.warmed;
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const cursor = (n: number) => Buffer.from(`users:${n}`).toString('base64');
    // the refused call asked for the third page; the next one asked for it again
    expect(slack.callsTo('users.list#failed').at(-1)?.args.cursor).toBe(cursor(400));
    expect(slack.callsTo('users.list').slice(before).map((c) => c.args.cursor ?? '')).toEqual(['', cursor(200), cursor(400), cursor(600), cursor(800)]);
    expect(lines.some((l) => l.includes('could not walk the Slack directory'))).toBe(false);
    expect(lines.some((l) => l.includes('Slack directory walked'))).toBe(true);
    // the whole directory is known: nobody on a page after the 429 is looked up one by one
    expect(await people.standing(person(950))).toBe('member');
    expect(lookups(person(950))).toBe(0);
    await warm.stop();
  });

  it('stopping the directory ends a walk waiting out a long 429 at once, and nothing more is asked', async () => {
    const people = directory();
    const asked = () => slack.received.filter((m) => m === 'users.list').length;
    const before = asked();
    slack.failNext('users.list', { status: 429, retryAfter: 60 });
    const warm = people.keepWarm(createLogger('silent'));
    await slack.waitFor(() => slack.callsTo('users.list#failed').length > 0 && asked() > before, 'the walk to be refused');
    const stopping = performance.now();
    await warm.stop();
    await warm.warmed;
    expect(performance.now() - stopping).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(asked() - before).toBe(1);
  });

  it('a walk someone waits for (everyone()) does not wait behind a background walk waiting out a 429: that walk gives way', async () => {
    const waiting = new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    const people = slackUserDirectory(waiting, { listClient: new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }) });
    const refused = slack.callsTo('users.list#failed').length;
    slack.failNext('users.list', { status: 'pass' });
    slack.failNext('users.list', { status: 429, retryAfter: 30 });
    const warm = people.keepWarm(createLogger('silent'));
    await slack.waitFor(() => slack.callsTo('users.list#failed').length > refused, 'the background walk to be refused');
    const started = performance.now();
    const everyone = await people.everyone();
    // not the 30 s Slack asked the background walk to wait
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(everyone).toHaveLength(999);
    await warm.stop();
  });

  it('a background walk that has not yet asked Slack gives way too, when the walk someone waits for comes in the same turn', async () => {
    const waiting = new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    const people = slackUserDirectory(waiting, { listClient: new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }) });
    slack.failNext('users.list', { status: 429, retryAfter: 3 });
    const started = performance.now();
    const warm = people.keepWarm(createLogger('silent'));
    const everyone = await people.everyone();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(everyone).toHaveLength(999);
    await warm.stop();
  });

  it('a walk someone waits for is served by the background walk under way when that one reaches the end: Slack is not walked twice', async () => {
    const people = directory();
    const before = slack.callsTo('users.list').length;
    slack.delay('users.list', 100);
    try {
      const warm = people.keepWarm(createLogger('silent'));
      await slack.waitFor(() => slack.callsTo('users.list').length > before, 'the background walk to start');
      const everyone = await people.everyone();
      expect(everyone).toHaveLength(999);
      await warm.warmed;
      expect(slack.callsTo('users.list').length - before).toBe(5);
      await warm.stop();
    } finally {
      slack.delay('users.list', 0);
    }
  });

  it('a page refused more often than the walk waits out ends the walk until the next tick', async () => {
    const client = new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const people = slackUserDirectory(client, { maxPageWaits: 1 });
    slack.failNext('users.list', { status: 429, retryAfter: 1 }, 2);
    const lines: string[] = [];
    const warm = people.keepWarm(createLogger('debug', { write: (l) => lines.push(l) }));
    await warm.warmed;
    expect(lines.some((l) => l.includes('could not walk the Slack directory') && l.includes('rate_limited'))).toBe(true);
    await warm.stop();
  });

  it('a failed walk is tried again at the next tick, one walk at a time', async () => {
    const people = directory();
    // a failure other than a rate limit ends the walk: the next tick starts over
    slack.failNext('users.list', { status: 200, error: 'internal_error' });
    const before = slack.callsTo('users.list').length;
    const lines: string[] = [];
    const warm = people.keepWarm(createLogger('debug', { write: (l) => lines.push(l) }), 100);
    await warm.warmed;
    expect(lines.some((l) => l.includes('could not walk the Slack directory'))).toBe(true);
    // the next ticks walk the whole directory (5 pages); a walk takes longer than a tick here, so
    // ticks come while one is under way: they start no second walk
    slack.delay('users.list', 40);
    try {
      await slack.waitFor(() => lines.filter((l) => l.includes('Slack directory walked')).length >= 2, 'two walks to end');
    } finally {
      slack.delay('users.list', 0);
    }
    await warm.stop();
    // one walk at a time: each page's cursor is the one the page before handed out
    const cursors = slack.callsTo('users.list').slice(before).map((c) => c.args.cursor ?? '');
    expect(cursors.slice(0, 10)).toEqual(['', ...[200, 400, 600, 800].map((n) => Buffer.from(`users:${n}`).toString('base64')), '', ...[200, 400, 600, 800].map((n) => Buffer.from(`users:${n}`).toString('base64'))]);
    const after = slack.received.length;
    expect(await people.standing(person(500))).toBe('member');
    expect(lookups(person(500))).toBe(0);
    // stopped: no more walks
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.received.slice(after).filter((m) => m === 'users.list')).toHaveLength(0);
  });
});
