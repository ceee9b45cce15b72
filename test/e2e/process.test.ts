import { testQueuePrefix } from '../helpers/queues.js';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ONE_DATASET_CATALOG, USERS } from '../helpers/catalog.js';
import { createTestDatabase } from '../helpers/db.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { freePort, isAlive, MAIN, processTree, REPO_ROOT, spawnProcess, TSX_LOADER, waitUntil, type Spawned } from '../helpers/process.js';
import { commandBody, postSigned, SIGNING_SECRET } from '../helpers/slack-requests.js';

// owners as Slack ids: nothing needs looking up, so only the token decides whether Slack is asked
const CATALOG = ONE_DATASET_CATALOG;

/** The bot as an operator runs it: its own process, configured by environment, against the fake Slack. */
describe('the bot as a process', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
  });

  async function setUp() {
    const dir = await mkdtemp(join(tmpdir(), 'dab-process-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'catalog.yml'), CATALOG);
    const slack = await new FakeSlack().start();
    cleanup.push(() => slack.stop());
    for (const id of Object.values(USERS)) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
    const database = await createTestDatabase();
    cleanup.push(() => database.destroy());
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: inject('redisUrl'),
      ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: join(dir, 'data') }),
      CATALOG_PATH: join(dir, 'catalog.yml'),
      PORT: String(port),
      QUEUE_PREFIX: testQueuePrefix(),
      LOG_LEVEL: 'warn',
    };
    return { dir, slack, port, env };
  }

  // every process seen in a spawned tree, so that none outlives the test even when orphaned
  const seen = new Set<number>();
  function track(p: Spawned) {
    cleanup.push(async () => {
      for (const pid of new Set([...seen, ...processTree(p.child.pid!)])) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      seen.clear();
    });
    return p;
  }

  async function healthy(port: number, p: Spawned) {
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0)) === 200,
      `the bot to be healthy; its output:\n${p.output()}`,
      60_000,
    );
    for (const pid of processTree(p.child.pid!)) seen.add(pid);
  }

  it('SIGTERM to `npm start` stops the whole tree, after answering the request already received', async () => {
    const { slack, port, env } = await setUp();
    const npm = track(spawnProcess('npm', ['start'], { cwd: REPO_ROOT, env }));
    await healthy(port, npm);
    const tree = processTree(npm.child.pid!);

    // a command whose answer waits on a slow Slack: it is in flight when the signal comes
    slack.delay('users.info', 1_000);
    // start-up looks up the catalog's people too: wait for a lookup made after the command was sent
    const lookups = () => slack.received.filter((m) => m === 'users.info').length;
    const before = lookups();
    // someone Slack does not list: the directory's walk cannot have answered for them in advance
    const newcomer = 'U0NOTLISTED';
    const body = commandBody({ text: 'list', userId: newcomer, responseUrl: `${slack.url}/respond/${newcomer}` });
    const inFlight = postSigned(`http://127.0.0.1:${port}/slack/events`, body, 'application/x-www-form-urlencoded');
    await slack.waitFor(() => lookups() > before, 'the command to reach Slack');
    npm.child.kill('SIGTERM');

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toMatch(/access|request/i);
    await npm.exited;
    await waitUntil(() => tree.every((pid) => !isAlive(pid)), `every process of the tree (${tree.join(', ')}) to exit`, 15_000);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('stops by itself when whatever started it is killed outright', async () => {
    const { dir, port, env } = await setUp();
    // a shell in between that dies without passing anything on, as `sh -c` does on SIGKILL
    const shell = track(spawnProcess('sh', ['-c', `"${process.execPath}" --import "${TSX_LOADER}" "${MAIN}"`], { cwd: dir, env }));
    await healthy(port, shell);
    const tree = processTree(shell.child.pid!);
    expect(tree.length).toBeGreaterThan(1);
    shell.child.kill('SIGKILL');
    await shell.exited;
    await waitUntil(() => tree.every((pid) => !isAlive(pid)), `the orphaned bot (${tree.join(', ')}) to exit`, 15_000);
  });

  it('loads ./.env at start, with the environment taking precedence', async () => {
    const { dir, port, env } = await setUp();
    const otherPort = await freePort();
    const { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, ...rest } = env;
    // the token and secret come only from the file; PORT is in both and the environment's wins
    await writeFile(join(dir, '.env'), `# written by the test\nSLACK_BOT_TOKEN=${SLACK_BOT_TOKEN}\nSLACK_SIGNING_SECRET=${SLACK_SIGNING_SECRET}\nSLACK_API_URL=${SLACK_API_URL}\nPORT=${otherPort}\n`);
    const bot = track(spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: dir, env: rest }));
    await healthy(port, bot);
    expect(await fetch(`http://127.0.0.1:${otherPort}/healthz`).then((r) => r.status, () => 'refused')).toBe('refused');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });

  it('a signed request that trips a library (a JSON `null` body) is logged on one line and the bot keeps serving', async () => {
    const { dir, port, env, slack } = await setUp();
    const bot = track(spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: dir, env }));
    await healthy(port, bot);
    // Bolt reads `body.ssl_check` of whatever the body parses to, in a promise nobody awaits, and
    // never answers: the server's response deadline does
    const tripped = postSigned(`http://127.0.0.1:${port}/slack/events`, 'null', 'application/json');
    await waitUntil(() => bot.output().includes('unhandled'), `the failure to be logged; output:\n${bot.output()}`);
    const body = commandBody({ text: 'help', userId: USERS.marketer, responseUrl: `${slack.url}/respond/${USERS.marketer}` });
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, body, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('/access');
    expect((await tripped).status).toBe(503);
    const line = bot.output().split('\n').find((l) => l.includes('unhandled'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 50, err: { type: 'TypeError' } });
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });

  it('a token Slack refuses stops start-up with one line naming SLACK_BOT_TOKEN', async () => {
    const { dir, env } = await setUp();
    const bot = track(spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: dir, env: { ...env, SLACK_BOT_TOKEN: 'xoxb-revoked' } }));
    expect(await bot.exited).toBe(1);
    const out = bot.output().trim();
    expect(out).toContain('SLACK_BOT_TOKEN');
    expect(out).toContain('invalid_auth');
    expect(out).not.toContain('xoxb-revoked');
    expect(out.split('\n')).toHaveLength(1);
  });

  it('a Postgres that refuses connections stops start-up with one line naming DATABASE_URL', async () => {
    const { dir, env } = await setUp();
    const closed = await freePort();
    const bot = track(
      spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: dir, env: { ...env, DATABASE_URL: `postgres://bot:secret-pw@127.0.0.1:${closed}/bot` } }),
    );
    expect(await bot.exited).toBe(1);
    const out = bot.output().trim();
    expect(out).toContain('DATABASE_URL');
    expect(out).toContain('ECONNREFUSED');
    expect(out).not.toContain('secret-pw');
    expect(out.split('\n')).toHaveLength(1);
  });
  it('a `worker` process lowers its CPU priority to WORKER_NICE (10 unless set), a `web` process keeps its own', async () => {
    const { dir, port, env } = await setUp();
    const own = getPriority();
    const start = async (mode: 'web' | 'worker', extra: NodeJS.ProcessEnv = {}) => {
      const healthPort = mode === 'worker' ? await freePort() : port;
      const p = track(spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN, mode], { cwd: dir, env: { ...env, WORKER_HEALTH_PORT: String(healthPort), LOG_LEVEL: 'info', ...extra } }));
      await healthy(healthPort, p);
      return p;
    };
    // a nice value is each thread's on Linux: every thread of the worker runs at it, V8's and libuv's included
    const threadNices = (pid: number) =>
      readdirSync(`/proc/${pid}/task`).map((tid) => {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const worker = await start('worker');
    expect(getPriority(worker.child.pid!)).toBe(Math.max(own, 10));
    expect(threadNices(worker.child.pid!).length).toBeGreaterThan(4);
    expect(new Set(threadNices(worker.child.pid!))).toEqual(new Set([Math.max(own, 10)]));
    await waitUntil(() => /"nice":\d+.*worker CPU priority/.test(worker.output()), 'the worker to log its priority');
    const pinned = await start('worker', { WORKER_NICE: '0' });
    expect(getPriority(pinned.child.pid!)).toBe(own);
    const web = await start('web');
    expect(getPriority(web.child.pid!)).toBe(own);
    expect(new Set(threadNices(web.child.pid!))).toEqual(new Set([own]));
    for (const p of [worker, pinned, web]) {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  });
});
