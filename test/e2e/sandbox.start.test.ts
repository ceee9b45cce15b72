import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, MAIN, processTree, REPO_ROOT, spawnProcess, TSX_LOADER, waitUntil, type Spawned } from '../helpers/process.js';

/**
 * `npm start` in a directory holding only a .env copied from .env.example (every SLACK_ variable
 * empty, CATALOG_PATH=./catalog.yml that does not exist): the sandbox starts with the example
 * catalog, its own embedded database and redis-server, says what it is preparing on the first
 * start, prints its address, and stops on SIGTERM.
 */
describe('npm start with a .env copied from .env.example', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dab-sandbox-start-'));
  let bot: Spawned | undefined;
  afterAll(() => {
    if (bot?.child.pid) for (const pid of processTree(bot.child.pid)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the sandbox, prints the embedded database’s progress and then its address', { timeout: 150_000 }, async () => {
    copyFileSync(join(REPO_ROOT, '.env.example'), join(dir, '.env'));
    // the environment wins over .env: a free port, and the sandbox's own (quiet) log level
    bot = spawnProcess(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: dir, env: { PATH: process.env.PATH, SANDBOX_PORT: '0', LOG_LEVEL: 'warn' } });
    let url = '';
    await waitUntil(() => {
      url = /Local sandbox \(no Slack workspace connected\): (http:\/\/localhost:\d+\/)/.exec(bot!.output())?.[1] ?? '';
      if (!url && bot!.child.exitCode !== null) throw new Error(`the bot exited:\n${bot!.output()}`);
      return Boolean(url);
    }, 'the sandbox address', 120_000);
    const lines = bot.output().trim().split('\n');
    expect(lines[0]).toMatch(/^Preparing the embedded database in data\/sandbox .*first start/);
    expect(lines.at(-1)).toBe(`Local sandbox (no Slack workspace connected): ${url}`);
    const page = await (await fetch(url.replace('localhost', '127.0.0.1'))).text();
    expect(page).toMatch(/Local sandbox/);
    // the example catalog's people are the sandbox's users
    const people = await (await fetch(`${url.replace('localhost', '127.0.0.1')}sandbox/people`)).json();
    expect(people.users.map((u: { id: string }) => u.id)).toContain('U0OWNER1');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });
});
