import { afterEach, describe, expect, it } from 'vitest';
import { startTestBot } from '../helpers/bot.js';
import { botBehindPostgresProxy, botBehindRedisProxy, probe } from '../helpers/bot-behind-proxy.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { FakeSocketMode } from '../helpers/fake-socket-mode.js';
import { freePort } from '../helpers/ports.js';

const health = (baseUrl: string) => probe(baseUrl, '/healthz');

describe('/healthz', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('answers 503 within a second naming Redis when Redis hangs instead of refusing', async () => {
    const { t, proxy } = await botBehindRedisProxy(cleanup);
    expect((await health(t.baseUrl)).status).toBe(200);

    proxy.hang();
    for (let i = 0; i < 3; i++) {
      const h = await health(t.baseUrl);
      expect(h.status).toBe(503);
      expect(h.ms).toBeLessThan(1_000);
      expect(h.body).toMatchObject({ ok: false, checks: { redis: false, postgres: true }, failing: ['redis'] });
    }
  });

  it('answers 503 within a second naming Postgres when Postgres hangs instead of refusing', async () => {
    const { t, proxy } = await botBehindPostgresProxy(cleanup);
    expect((await health(t.baseUrl)).status).toBe(200);

    proxy.hang();
    const h = await health(t.baseUrl);
    expect(h.status).toBe(503);
    expect(h.ms).toBeLessThan(1_000);
    expect(h.body).toMatchObject({ ok: false, checks: { postgres: false, redis: true }, failing: ['postgres'] });
  });

  it('in Socket Mode, answers 503 until the Socket Mode connection is open', async () => {
    const socket = await new FakeSocketMode().start();
    cleanup.push(() => socket.stop());
    const slack = await new FakeSlack().start();
    cleanup.push(() => slack.stop());
    slack.socketModeUrl = socket.url;
    const port = await freePort();
    const starting = startTestBot({ slack, config: { port, slack: { botToken: 'xoxb-fake', appToken: 'xapp-fake', apiUrl: slack.apiUrl } } });
    starting.then((t) => cleanup.push(() => t.stop()), () => {});
    const baseUrl = `http://127.0.0.1:${port}`;

    let first: Awaited<ReturnType<typeof health>> | undefined;
    const deadline = Date.now() + 10_000;
    while (!first && Date.now() < deadline) {
      first = await health(baseUrl).catch(() => undefined);
      if (!first) await new Promise((r) => setTimeout(r, 50));
    }
    await slack.waitFor(() => slack.callsTo('apps.connections.open').length > 0, 'apps.connections.open');
    expect(first?.status).toBe(503);
    const waiting = await health(baseUrl);
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ ok: false, checks: { slack: false, postgres: true, redis: true }, failing: ['slack'] });

    socket.open();
    await starting;
    expect((await health(baseUrl)).status).toBe(200);
  });

  it('`worker` mode answers on its own health port, with the workers checked', async () => {
    const t = await startTestBot({ config: { mode: 'worker', workerHealthPort: 0 } });
    cleanup.push(() => t.stop());
    const h = await health(t.baseUrl);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, checks: { postgres: true, redis: true, workers: true } });
    expect((await fetch(`${t.baseUrl}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('/livez answers 200 while the process is up, even when a dependency hangs (web and worker)', async () => {
    const { t: web, proxy } = await botBehindRedisProxy(cleanup);
    proxy.hang();
    expect((await health(web.baseUrl)).status).toBe(503);
    const started = Date.now();
    const live = await fetch(`${web.baseUrl}/livez`, { signal: AbortSignal.timeout(5_000) });
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await fetch(`${web.baseUrl}/livez`, { method: 'HEAD' })).status).toBe(200);

    const worker = await startTestBot({ config: { mode: 'worker', workerHealthPort: 0 } });
    cleanup.push(() => worker.stop());
    expect((await fetch(`${worker.baseUrl}/livez`)).status).toBe(200);
  });
});
