import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../../src/config/config.js';
import { NODE_FLAGS, nodeFlags } from '../../src/shared/heap.js';
import { REPO_ROOT } from '../helpers/process.js';
import { composeEnvironment, dockerfileStages, interpolate, parseCompose, parseDotenv } from '../helpers/deploy-files.js';

const compose = parseCompose(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8'));
const envExample = parseDotenv(readFileSync(join(REPO_ROOT, '.env.example'), 'utf8'));
const BOT_SERVICES = { web: 'web', worker: 'worker' } as const;

// what a person puts in .env before `docker compose up` (valid shapes, not real secrets)
const SOCKET_MODE_DOTENV = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-abc', POSTGRES_PASSWORD: 'pw1' };
const HTTP_MODE_DOTENV = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef', POSTGRES_PASSWORD: 'pw1' };

describe('compose.yaml', () => {
  it('runs Postgres, Redis (append-only, noeviction), one web and one worker process from the built image', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'web', 'worker']);
    const redis: string[] = compose.services.redis.command;
    expect(redis.join(' ')).toContain('--appendonly yes');
    expect(redis.join(' ')).toContain('--maxmemory-policy noeviction');
    for (const [name, mode] of Object.entries(BOT_SERVICES)) {
      const service = compose.services[name];
      expect(service.build, name).toBe('.');
      // started with the flags of its kind of process (src/shared/heap.ts), as npm start and the bench start it
      expect(service.command, name).toEqual(['node', ...NODE_FLAGS[mode], 'dist/src/main.js', mode]);
      expect(service.env_file, name).toBe('.env');
      expect(Object.keys(service.depends_on).sort(), name).toEqual(['postgres', 'redis']);
    }
  });

  it('sets only real settings of the bot, and asks .env only for variables .env.example documents', () => {
    for (const name of Object.keys(BOT_SERVICES)) {
      const environment: Record<string, string> = compose.services[name].environment;
      const unknown = Object.keys(environment).filter((k) => !SETTING_NAMES.includes(k));
      expect(unknown, `${name} sets variables the bot does not read`).toEqual([]);
      const referenced = Object.values(environment).flatMap((v) => [...String(v).matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
      expect(referenced.filter((v) => !(v in envExample)), `${name} interpolates variables missing from .env.example`).toEqual([]);
    }
  });

  it('sets every required setting: each process starts with only the Slack tokens and the Postgres password in .env', () => {
    for (const dotenv of [SOCKET_MODE_DOTENV, HTTP_MODE_DOTENV]) {
      for (const [name, mode] of Object.entries(BOT_SERVICES)) {
        const env = composeEnvironment(compose.services[name], dotenv);
        // the mode is the argument after the script, whatever node flags come before it
        const command: string[] = compose.services[name].command;
        const config = loadConfig(env, command[command.indexOf('dist/src/main.js') + 1]);
        expect(config.mode).toBe(mode);
        expect(config.database).toEqual({ url: 'postgres://access_bot:pw1@postgres:5432/access_bot', poolSize: 10, preparedStatements: true });
        expect(config.redisUrl).toBe('redis://redis:6379');
        expect(config.catalogPath).toBe(compose.services[name].volumes[0].split(':')[1]);
      }
    }
  });

  it('refuses to start, naming the variable, when .env lacks the bot token or the Postgres password', () => {
    const { SLACK_BOT_TOKEN: _t, ...noToken } = SOCKET_MODE_DOTENV;
    const { POSTGRES_PASSWORD: _p, ...noPassword } = SOCKET_MODE_DOTENV;
    for (const name of Object.keys(BOT_SERVICES)) {
      expect(() => composeEnvironment(compose.services[name], noToken)).toThrow(/SLACK_BOT_TOKEN/);
      expect(() => composeEnvironment(compose.services[name], noPassword)).toThrow(/POSTGRES_PASSWORD/);
    }
  });

  it('interpolates as docker compose does', () => {
    expect(interpolate('a${X}b', { X: '1' })).toBe('a1b');
    expect(interpolate('${X:-d}|${Y-d}|${Z:-d}', { X: '', Y: '' })).toBe('d||d');
    expect(interpolate('$${X}', { X: '1' })).toBe('${X}');
    expect(() => interpolate('${X:?say so}', { X: '' })).toThrow('X: say so');
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;
  const lines = (stage: typeof runtime, instruction: string) => stage.lines.filter((l) => l.instruction === instruction).map((l) => l.args);

  it('builds in one stage and runs from a slim Node 20 stage with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.from).toMatch(/^node:20/);
    expect(lines(stages[0]!, 'RUN').join('\n')).toContain('npm run build');
    expect(runtime.from).toMatch(/^node:20[\w.-]*-slim$/);
    expect(lines(runtime, 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    expect(lines(runtime, 'COPY').filter((a) => !a.startsWith('--from=')).every((a) => /^package(-lock)?\.json/.test(a))).toBe(true);
    expect(lines(runtime, 'ENV').join(' ')).toContain('NODE_ENV=production');
  });

  it('runs as a non-root user, with a HEALTHCHECK on /livez and node itself as the process (exec form)', () => {
    const user = lines(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const health = lines(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toContain('/livez');
    const cmd = JSON.parse(lines(runtime, 'CMD')[0]!);
    expect(cmd).toEqual(['node', ...NODE_FLAGS.all, 'dist/src/main.js']);
    expect(lines(runtime, 'ENTRYPOINT')).toEqual([]);
  });
});

describe('npm start', () => {
  // scripts/start.sh run as npm runs it, with a `node` that prints what it was asked to run
  const started = (args: string[], env: Record<string, string> = {}, dotenv?: string) => {
    const bin = mkdtempSync(join(tmpdir(), 'dab-fake-node-'));
    try {
      writeFileSync(join(bin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
      // run where a .env may be, as npm runs it from the package's directory
      const cwd = dotenv === undefined ? REPO_ROOT : bin;
      if (dotenv !== undefined) writeFileSync(join(bin, '.env'), dotenv);
      const out = execFileSync('sh', [join(REPO_ROOT, 'scripts/start.sh'), ...args], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: 'utf8' });
      return out.trim().split('\n');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  };

  it('starts each mode with the node flags of its kind of process, the built code under NODE_ENV=production', () => {
    for (const mode of ['all', 'web', 'worker'] as const) {
      expect(started([mode], { NODE_ENV: 'production' }), mode).toEqual([...NODE_FLAGS[mode], 'dist/src/main.js', mode]);
      expect(started([mode]), mode).toEqual([...NODE_FLAGS[mode], '--import', 'tsx', 'src/main.ts', mode]);
    }
    // no mode: all in one, or BOT_MODE's
    expect(started([], { NODE_ENV: 'production' })).toEqual([...nodeFlags(undefined), 'dist/src/main.js']);
    expect(started([], { NODE_ENV: 'production', BOT_MODE: 'web' })).toEqual([...NODE_FLAGS.web, 'dist/src/main.js']);
    expect(started([], { NODE_ENV: 'production', BOT_MODE: 'worker' })).toEqual([...NODE_FLAGS.worker, 'dist/src/main.js']);
    // BOT_MODE in ./.env, as the bot itself reads it; the environment and the argument win over it
    expect(started([], { NODE_ENV: 'production' }, 'SLACK_BOT_TOKEN=xoxb-1\nBOT_MODE=web\n')).toEqual([...NODE_FLAGS.web, 'dist/src/main.js']);
    expect(started([], { NODE_ENV: 'production' }, '# BOT_MODE=web\nBOT_MODE="worker"\r\n')).toEqual([...NODE_FLAGS.worker, 'dist/src/main.js']);
    expect(started([], { NODE_ENV: 'production' }, 'BOT_MODE=\n')).toEqual([...NODE_FLAGS.all, 'dist/src/main.js']);
    expect(started([], { NODE_ENV: 'production', BOT_MODE: 'worker' }, 'BOT_MODE=web\n')).toEqual([...NODE_FLAGS.worker, 'dist/src/main.js']);
    expect(started(['worker'], { NODE_ENV: 'production' }, 'BOT_MODE=web\n')).toEqual([...NODE_FLAGS.worker, 'dist/src/main.js', 'worker']);
    // the flags differ by mode (the web process keeps V8's young generation)
    expect(NODE_FLAGS.worker).not.toEqual(NODE_FLAGS.web);
  });
});
