import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { USERS } from '../helpers/catalog.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';

/** One raw HTTP request (fetch refuses some methods and HEAD bodies); resolves with status and headers. */
function raw(port: number, method: string, path: string, body?: Buffer | string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    // a server that answers before reading a large body may close the connection under it
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
    req.end(body);
  });
}

/** Bytes straight onto a TCP connection; resolves with the first line the server sends back. */
function rawTcp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('the HTTP server, facing anything a client sends', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot();
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function stillServing() {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    const res = await t.command(USERS.marketer, 'help');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('/access');
  }

  it.each([
    ['GET', '/', 404],
    ['GET', '/favicon.ico', 404],
    ['POST', '/slack/events/', 404],
    ['POST', '/slack/events?x=1/..', 401], // the query does not change the path; unsigned
    ['GET', '/slack/events', 405],
    ['PUT', '/slack/events', 405],
    ['DELETE', '/healthz', 405],
    ['PROPFIND', '/healthz', 405],
    ['OPTIONS', '/', 404],
    ['HEAD', '/healthz', 200],
    ['GET', '/%ff%fe/../slack/events', 404],
  ])('%s %s answers %i and the bot keeps serving', async (method, path, status) => {
    const res = await raw(t.bot.port, method, path);
    expect(res.status).toBe(status);
    if (status === 405) expect(res.headers.allow).toBe(path.startsWith('/healthz') ? 'GET, HEAD' : 'POST');
    await stillServing();
  });

  it('refuses garbage request lines, huge bodies and bodies on unknown paths, and keeps serving', async () => {
    expect(await rawTcp(t.bot.port, 'FOO BAR BAZ\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawTcp(t.bot.port, '\u0000\u0001\u0002\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    expect((await raw(t.bot.port, 'POST', '/slack/events', big)).status).toBe(413);
    expect((await raw(t.bot.port, 'POST', '/', big)).status).toBe(404);
    expect((await raw(t.bot.port, 'POST', '/slack/events', 'payload=%7B%22type%22')).status).toBe(401);
    await stillServing();
  });

  it('survives a client that sends half a body and goes away', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(t.bot.port, '127.0.0.1', () => {
        socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":');
        setImmediate(() => socket.destroy());
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    await stillServing();
  });
});

describe('stopping', () => {
  it('finishes the work of a request already acknowledged before it closes the database', async () => {
    const t = await startTestBot();
    try {
      t.slack.delay('chat.postEphemeral', 1_500);
      // the button is acknowledged at once; its answer (an ephemeral reply) comes after
      const res = await t.click(USERS.owner1, ACTION_IDS.approve, 'not-a-request-id');
      expect(res.status).toBe(200);
      await t.slack.waitFor(() => t.slack.received.includes('chat.postEphemeral'), 'the reply to start');
      await t.bot.stop();
      expect(t.slack.callsTo('chat.postEphemeral').map((c) => c.args.text)).toEqual(['That button is not valid any more.']);
      await expect(fetch(`${t.baseUrl}/healthz`)).rejects.toThrow();
    } finally {
      await t.slack.stop();
      await t.database.destroy();
    }
  });
});
