import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accessRequests, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { ONE_DATASET_CATALOG, USERS } from '../helpers/catalog.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { dockerfileStages, healthcheckArgv } from '../helpers/deploy-files.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { freePort, isAlive, processTree, REPO_ROOT, spawnProcess, waitUntil, type Spawned } from '../helpers/process.js';
import { testQueuePrefix } from '../helpers/queues.js';
import { blockActionPayload, commandBody, interactionBody, postSigned, SIGNING_SECRET } from '../helpers/slack-requests.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const stages = dockerfileStages(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));

const CATALOG = ONE_DATASET_CATALOG;

/**
 * What the image holds, built here the same way: `npm run build` into <app>/dist and
 * `npm ci --omit=dev` into <app>/node_modules, in a directory outside the repository, so nothing
 * from the development install (tsx, vitest, the sources) can be reached.
 */
describe('the compiled build with production dependencies only', () => {
  let app: string;
  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'dab-build-'));
    await copyFile(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
    await copyFile(join(REPO_ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    await Promise.all([
      run(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), '--out', join(app, 'dist')], { cwd: REPO_ROOT }),
      run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app }),
    ]);
  }, 240_000);
  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('holds every file the Dockerfile runs and copies, and imports only production dependencies', async () => {
    const cmd: string[] = JSON.parse(stages.at(-1)!.lines.find((l) => l.instruction === 'CMD')!.args);
    // node, its flags, then the script
    expect(existsSync(join(app, cmd.find((a) => a.endsWith('.js'))!))).toBe(true);
    expect(existsSync(join(app, 'dist/migrations/meta/_journal.json'))).toBe(true);
    expect(existsSync(join(app, 'dist/catalog.example.yml'))).toBe(true);
    expect(existsSync(join(app, 'dist/src/sandbox/page/index.html'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);

    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const files = (await readdir(join(app, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(files.some((f) => f.includes('test'))).toBe(false);
    const imported = new Set<string>();
    for (const f of files) {
      const js = await readFile(join(app, 'dist', f), 'utf8');
      const specifiers = [
        ...js.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...js.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...js.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specifiers) {
        const spec = m[1]!.replace(/^node:/, '');
        if (spec.startsWith('.')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect([...imported]).toEqual(expect.arrayContaining(['@slack/bolt', 'bullmq', 'postgres', '@electric-sql/pglite']));
    expect([...imported].filter((p) => !allowed.has(p))).toEqual([]);
  });

  it('the image\'s CMD (`node --max-semi-space-size=8 dist/src/main.js`) starts, answers /livez for the HEALTHCHECK and grants access through request → approve', async () => {
    const slack = await new FakeSlack().start();
    const database: TestDatabase = await createTestDatabase();
    let bot: Spawned | undefined;
    try {
      for (const id of Object.values(USERS)) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
      await writeFile(join(app, 'catalog.yml'), CATALOG);
      const port = await freePort();
      // the Dockerfile's own command, its node flags included
      const [, ...cmdArgs]: string[] = JSON.parse(stages.at(-1)!.lines.find((l) => l.instruction === 'CMD')!.args);
      bot = spawnProcess(process.execPath, cmdArgs, {
        cwd: app,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          SLACK_BOT_TOKEN: 'xoxb-fake',
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          REDIS_URL: inject('redisUrl'),
          ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: join(app, 'data') }),
          PORT: String(port),
          QUEUE_PREFIX: testQueuePrefix(),
          LOG_LEVEL: 'warn',
        },
      });
      const base = `http://127.0.0.1:${port}`;
      await waitUntil(async () => (await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) === 200, `the compiled bot to be healthy:\n${bot.output()}`, 60_000);

      // the image's own HEALTHCHECK command, as Docker runs it in the container
      const [cmd, ...args] = healthcheckArgv(stages);
      expect(cmd).toBe('node');
      await expect(run(process.execPath, args, { env: { PORT: String(port), WORKER_HEALTH_PORT: String(await freePort()) } })).resolves.toBeDefined();
      await expect(run(process.execPath, args, { env: { PORT: String(await freePort()), WORKER_HEALTH_PORT: String(await freePort()) } })).rejects.toThrow();

      const events = `${base}/slack/events`;
      const command = await postSigned(
        events,
        commandBody({ text: 'request campaign-metrics 1d spring campaign', userId: USERS.marketer, responseUrl: `${slack.url}/respond/${USERS.marketer}` }),
        'application/x-www-form-urlencoded',
      );
      expect(command.status).toBe(200);
      const [request] = await database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.marketer));
      expect(request).toMatchObject({ datasetId: 'campaign-metrics', status: 'pending' });
      await slack.waitFor(() => slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes(request!.id)), 'the approval DM');
      const click = await postSigned(
        events,
        interactionBody(blockActionPayload({ userId: USERS.owner1, actionId: ACTION_IDS.approve, value: request!.id, channelId: `D${USERS.owner1}`, messageTs: '1.0', responseUrl: `${slack.url}/respond/${USERS.owner1}` })),
        'application/x-www-form-urlencoded',
      );
      expect(click.status).toBe(200);
      await waitUntil(async () => (await database.db.select().from(grants).where(eq(grants.requestId, request!.id)))[0]?.status === 'active', 'the grant to be active');

      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      if (bot) for (const pid of processTree(bot.child.pid!)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await slack.stop();
      await database.destroy();
    }
  }, 120_000);

  it('`npm run admin` and `npm run catalog:check` run the compiled CLI with NODE_ENV=production (no tsx)', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
    const help = await run('npm', ['run', '-s', 'admin', '--', '--help'], { cwd: app, env });
    expect(help.stdout).toContain('Usage: admin [options] [command]');
    for (const g of ['grants', 'requests', 'messages', 'review', 'catalog', 'audit']) expect(help.stdout).toContain(`  ${g} `);
    const revokeHelp = await run('npm', ['run', '-s', 'admin', '--', 'grants', 'revoke', '--help'], { cwd: app, env });
    expect(revokeHelp.stdout).toContain('Usage: admin grants revoke');
    await writeFile(join(app, 'catalog.yml'), CATALOG);
    const check = await run('npm', ['run', '-s', 'catalog:check', '--', 'catalog.yml'], { cwd: app, env });
    expect(check.stdout).toContain('catalog.yml: 1 dataset');
    const usage = run('npm', ['run', '-s', 'admin', '--', 'grants', 'frobnicate'], { cwd: app, env });
    await expect(usage).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
