import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadDatabaseConfig } from '../../src/config/config.js';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1-fake', SLACK_SIGNING_SECRET: randomBytes(16).toString('hex') };

describe('configuration', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      mode: 'all',
      port: 3000,
      database: { dataDir: './data' },
      embeddedRedis: { dir: 'data/redis', port: 0 },
      catalogPath: './catalog.yml',
      reconcileIntervalSeconds: 60,
      workerNice: 10,
    });
  });

  it.each([
    [{}, /SLACK_BOT_TOKEN is required/],
    [{ SLACK_BOT_TOKEN: '  ', SLACK_SIGNING_SECRET: 's' }, /SLACK_BOT_TOKEN is required/],
    [{ ...valid, SLACK_BOT_TOKEN: 'xoxp-1-user' }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_SIGNING_SECRET is required in HTTP mode/],
    [{ ...valid, PORT: 'eighty' }, /PORT must be a port number/],
    [{ ...valid, REDIS_URL: 'localhost:6379' }, /REDIS_URL must start with redis:\/\//],
    [{ ...valid, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ ...valid, SLACK_APP_TOKEN: 'nope' }, /SLACK_APP_TOKEN must be an app-level token/],
    [{ ...valid, DATABASE_POOL_SIZE: '0' }, /DATABASE_POOL_SIZE must be a whole number from 1 to 100/],
    [{ ...valid, DATABASE_POOL_SIZE: '101' }, /DATABASE_POOL_SIZE must be a whole number from 1 to 100/],
    [{ ...valid, DATABASE_POOL_SIZE: 'ten' }, /DATABASE_POOL_SIZE must be a whole number from 1 to 100/],
    [{ ...valid, DATABASE_PREPARED_STATEMENTS: 'no' }, /DATABASE_PREPARED_STATEMENTS must be on or off/],
    [{ ...valid, WORKER_NICE: '20' }, /WORKER_NICE must be a whole number from 0 to 19/],
    [{ ...valid, WORKER_NICE: '-5' }, /WORKER_NICE must be a whole number from 0 to 19/],
    [{ ...valid, WORKER_NICE: 'low' }, /WORKER_NICE must be a whole number from 0 to 19/],
    [{ ...valid, WORKER_NICE: '2.5' }, /WORKER_NICE must be a whole number from 0 to 19/],
  ])('stops with one line naming the variable (%#)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('gives a server database its pool size and whether statements are prepared; migrations and the admin tool read them too', () => {
    const server = { ...valid, DATABASE_URL: 'postgres://db/x' };
    expect(loadConfig(server).database).toEqual({ url: 'postgres://db/x', poolSize: 10, preparedStatements: true });
    const pooled = { ...server, DATABASE_POOL_SIZE: '4', DATABASE_PREPARED_STATEMENTS: 'off' };
    expect(loadConfig(pooled).database).toEqual({ url: 'postgres://db/x', poolSize: 4, preparedStatements: false });
    expect(loadDatabaseConfig(pooled)).toEqual({ url: 'postgres://db/x', poolSize: 4, preparedStatements: false });
    // the embedded database has no pool: the settings are not its
    expect(loadDatabaseConfig({ DATABASE_POOL_SIZE: '4' })).toEqual({ dataDir: './data' });
    expect(() => loadDatabaseConfig({ ...server, DATABASE_PREPARED_STATEMENTS: 'maybe' })).toThrow(/DATABASE_PREPARED_STATEMENTS must be on or off/);
  });

  it('never echoes a secret value in its message', () => {
    try {
      loadConfig({ ...valid, SLACK_BOT_TOKEN: 'xoxp-hunter2' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it.each([
    ['your-signing-secret'],
    ['changeme'],
    ['0123456789ABCDEF0123456789ABCDEF'],
    ['0123456789abcdef0123456789abcde'],
    ['0123456789abcdef0123456789abcdef0'],
    ['00000000000000000000000000000000'],
    ['xoxb' + '-1-not-a-signing-secret'], // a pasted token, split so the source holds nothing token-shaped
  ])('refuses a signing secret that is a placeholder or not shaped like Slack’s (%#), in one line, without echoing it', (secret) => {
    let message = '';
    try {
      loadConfig({ ...valid, SLACK_SIGNING_SECRET: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Configuration error: SLACK_SIGNING_SECRET must be the signing secret .*32 lower-case hex/);
    expect(message).not.toContain(secret);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses the value .env.example ships with', () => {
    const example = Object.fromEntries(
      readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    // a forgotten placeholder must never verify requests: left as shipped, HTTP mode cannot start
    expect(() => loadConfig({ ...example, SLACK_BOT_TOKEN: 'xoxb-1-fake' })).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('takes the start mode from the argument, and needs a server database to split web and worker', () => {
    expect(() => loadConfig(valid, 'worker')).toThrow(/DATABASE_URL is required to run "worker" alone/);
    expect(() => loadConfig({ ...valid, DATABASE_URL: 'postgres://db/x' }, 'web')).toThrow(/REDIS_URL is required to run "web" alone/);
    expect(loadConfig({ ...valid, DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379' }, 'web')).toMatchObject({ mode: 'web', redisUrl: 'redis://r:6379' });
    expect(() => loadConfig(valid, 'both')).toThrow(/start mode "both" must be one of all, web, worker/);
  });

  it('treats empty variables, as .env.example leaves them, as not set', () => {
    const c = loadConfig({ ...valid, PORT: '', DATABASE_URL: '', REDIS_URL: '', SLACK_APP_TOKEN: '', SLACK_API_URL: '' });
    expect(c).toMatchObject({ port: 3000, database: { dataDir: './data' }, embeddedRedis: { dir: 'data/redis', port: 0 } });
    expect(c.redisUrl).toBeUndefined();
    expect(c.slack.appToken).toBeUndefined();
  });

  it('uses a given Redis, or its own under DATA_DIR on a chosen port', () => {
    const given = loadConfig({ ...valid, REDIS_URL: 'redis://cache:6380' });
    expect(given.redisUrl).toBe('redis://cache:6380');
    expect(given.embeddedRedis).toBeUndefined();
    expect(loadConfig({ ...valid, DATA_DIR: '/var/lib/dab', EMBEDDED_REDIS_PORT: '6390' }).embeddedRedis).toEqual({ dir: '/var/lib/dab/redis', port: 6390 });
  });

  it('accepts Socket Mode without a signing secret', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc' }).slack.appToken).toBe('xapp-1-abc');
  });
});
