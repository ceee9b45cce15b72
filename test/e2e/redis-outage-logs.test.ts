import { spawn, type ChildProcess } from 'node:child_process';
import { testQueuePrefix } from '../helpers/queues.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.js';
import { SIGNING_SECRET } from '../helpers/slack-requests.js';

/** A TCP proxy in front of the test Redis that can be taken down (refusing connections) and back. */
class RedisProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: URL) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

let slack: FakeSlack;
let proxy: RedisProxy;
let bot: ChildProcess | undefined;
let dir: string;
const lines: string[] = [];

function waitForLine(test: (line: string) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; output:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
    const check = () => {
      if (lines.some(test)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    };
    const poll = setInterval(check, 50);
    check();
  });
}

beforeAll(async () => {
  slack = await new FakeSlack().start();
  for (const id of ['U0OWNER1', 'U0ADMIN1']) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  proxy = new RedisProxy(new URL(inject('redisUrl')));
  await proxy.up();
  dir = mkdtempSync(join(tmpdir(), 'dab-outage-'));
  writeFileSync(
    join(dir, 'catalog.yml'),
    ['admins: [U0ADMIN1]', 'datasets:', '  - id: web-analytics', '    name: Web analytics', '    sensitivity: internal', '    owners: [U0OWNER1]', ''].join('\n'),
  );
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLACK_BOT_TOKEN: 'xoxb-fake',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    CATALOG_PATH: join(dir, 'catalog.yml'),
    QUEUE_PREFIX: testQueuePrefix(),
    RECONCILE_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'info',
  };
  bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [bot.stdout!, bot.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      lines.push(...parts.filter((l) => l !== ''));
    });
  }
  await waitForLine((l) => l.includes('data access bot started'), 'the bot to start', 60_000);
});

afterAll(async () => {
  if (bot && bot.exitCode === null) {
    const exited = new Promise((resolve) => bot!.once('exit', resolve));
    bot.kill('SIGTERM');
    await exited;
  }
  await proxy?.down().catch(() => undefined);
  await slack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a Redis outage in the logs', () => {
  it('every line is JSON from the one logger, and repeated connection errors are summarised', async () => {
    const before = lines.length;
    await proxy.down();
    // the outage is seen (a connection error is logged), then lasts a few seconds of reconnecting
    await waitForLine((l) => /ECONNREFUSED|Connection is closed|connect/i.test(l) && lines.indexOf(l) >= before, 'a connection error line');
    await new Promise((r) => setTimeout(r, 5_000)); // the outage itself: time is the point here
    await proxy.up();
    await waitForLine((l) => l.includes('"msg":"Redis is back"') || l.includes('reconnected'), 'the reconnection', 20_000).catch(() => undefined);

    expect(bot!.exitCode).toBeNull(); // the bot is still running
    const during = lines.slice(before);
    const notJson = during.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const connectionErrors = during.filter((l) => /ECONNREFUSED|ECONNRESET|Connection is closed|connect/i.test(l));
    expect(connectionErrors.length).toBeGreaterThan(0);
    expect(connectionErrors.length).toBeLessThanOrEqual(12);
  });
});
