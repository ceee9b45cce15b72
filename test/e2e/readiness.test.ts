import { afterEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { botBehindPostgresProxy, botBehindRedisProxy, probe } from '../helpers/bot-behind-proxy.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { FakeSocketMode } from '../helpers/fake-socket-mode.js';
import { freePort } from '../helpers/ports.js';
import { waitUntil } from '../helpers/signals.js';

const ready = (baseUrl: string) => probe(baseUrl, '/readyz');

describe('/readyz', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const bot = async (opts: Parameters<typeof startTestBot>[0]): Promise<TestBot> => {
    const t = await startTestBot(opts);
    cleanup.push(() => t.stop());
    return t;
  };

  it('answers 200 when Postgres, Redis and Slack are usable, in the web and the worker process', async () => {
    const web = await bot({ config: { mode: 'web' } });
    const r = await ready(web.baseUrl);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, checks: { postgres: true, redis: true, slack: true }, failing: [] });
    expect((await fetch(`${web.baseUrl}/readyz`, { method: 'HEAD' })).status).toBe(200);

    const worker = await bot({ replicaOf: web, config: { mode: 'worker', workerHealthPort: 0 } });
    const w = await ready(worker.baseUrl);
    expect(w.status).toBe(200);
    expect(w.body).toEqual({ ok: true, checks: { postgres: true, redis: true, workers: true, slack: true }, failing: [] });
  });

  it('answers 503 within a second naming Redis when Redis hangs', async () => {
    const { t, proxy } = await botBehindRedisProxy(cleanup);
    expect((await ready(t.baseUrl)).status).toBe(200);

    proxy.hang();
    for (let i = 0; i < 3; i++) {
      const r = await ready(t.baseUrl);
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1_000);
      expect(r.body).toMatchObject({ ok: false, checks: { redis: false, postgres: true, slack: true }, failing: ['redis'] });
    }
    // /metrics answers too, leaving out what it could not read in time
    const started = Date.now();
    const metrics = await fetch(`${t.baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    expect(metrics.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    const text = await metrics.text();
    expect(text).toContain('dab_state_source_up{source="redis"} 0');
    expect(text).toContain('dab_state_source_up{source="postgres"} 1');
    expect(text).not.toContain('dab_queue_jobs{');
  });

  it('answers 503 within a second naming Postgres when Postgres is unreachable', async () => {
    const { t, proxy } = await botBehindPostgresProxy(cleanup);
    expect((await ready(t.baseUrl)).status).toBe(200);

    await proxy.stop(); // connections dropped, new ones refused
    for (let i = 0; i < 3; i++) {
      const r = await ready(t.baseUrl);
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1_000);
      expect(r.body).toMatchObject({ ok: false, checks: { postgres: false, redis: true }, failing: ['postgres'] });
    }
  });

  it('answers 503 naming Slack while its Web API calls fail, and 200 again once they work, without a call per probe', { timeout: 60_000 }, async () => {
    const t = await bot({ config: { mode: 'all' } });
    const authTests = () => t.slack.received.filter((m) => m === 'auth.test').length;
    // start-up's token check, and Bolt's own auth.test (sent without waiting at its construction)
    await t.slack.waitFor(() => authTests() >= 2, 'the start-up auth.test calls');
    const before = authTests();
    for (let i = 0; i < 5; i++) expect((await ready(t.baseUrl)).status).toBe(200);
    expect(authTests()).toBe(before);

    for (const method of ['conversations.open', 'chat.postMessage', 'auth.test']) t.slack.failNext(method, { status: 500 }, 1_000);
    await t.command(USERS.marketer, 'request campaign-metrics 1d numbers please'); // the owner's DM fails
    const failing = await waitUntil(async () => {
      const r = await ready(t.baseUrl);
      return r.status === 503 && r;
    }, '/readyz to say Slack is failing');
    expect(failing.ms).toBeLessThan(1_000);
    expect(failing.body).toMatchObject({ ok: false, checks: { slack: false, postgres: true, redis: true }, failing: ['slack'] });

    t.slack.clearFailures();
    // a background auth.test (every few seconds while Slack fails) or the message's retry finds it back
    await waitUntil(async () => (await ready(t.baseUrl)).status === 200, '/readyz to recover', 30_000);
  });

  it('in Socket Mode, answers 503 naming Slack until the Socket Mode connection is open', async () => {
    const socket = await new FakeSocketMode().start();
    cleanup.push(() => socket.stop());
    const slack = await new FakeSlack().start();
    cleanup.push(() => slack.stop());
    slack.socketModeUrl = socket.url;
    const port = await freePort();
    const starting = startTestBot({ slack, config: { port, slack: { botToken: 'xoxb-fake', appToken: 'xapp-fake', apiUrl: slack.apiUrl } } });
    starting.then((t) => cleanup.push(() => t.stop()), () => {});
    const baseUrl = `http://127.0.0.1:${port}`;

    await slack.waitFor(() => slack.callsTo('apps.connections.open').length > 0, 'apps.connections.open');
    const waiting = await waitUntil(() => ready(baseUrl).catch(() => undefined), 'the HTTP server');
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ ok: false, checks: { slack: false, postgres: true, redis: true }, failing: ['slack'] });

    socket.open();
    await starting;
    expect((await ready(baseUrl)).status).toBe(200);
  });
});
