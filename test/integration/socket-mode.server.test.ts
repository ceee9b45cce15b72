import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSocketModeServer, type SocketModeServer } from '../../src/sandbox/socket-mode.js';

/** The Socket Mode stand-in on its own, with a plain WebSocket client playing the app. */
let http: Server;
let sm: SocketModeServer;
beforeAll(async () => {
  http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  sm = createSocketModeServer({ server: http, pingIntervalMs: 1_000 });
});
afterAll(async () => {
  await sm.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

function connect(url: string): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Socket Mode stand-in', () => {
  it('hands out single-use ws:// URLs, says hello, delivers envelopes and resolves with the ack', async () => {
    const { url } = sm.openConnection();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\/\?ticket=/);
    const { ws, messages } = await connect(url);
    await expect(connect(url)).rejects.toThrow('HTTP 401'); // the ticket was used
    expect((await until(() => messages[0], 'hello')).type).toBe('hello');

    const acked = sm.deliver({ type: 'slash_commands', payload: { command: '/access', text: 'help' } });
    const envelope = await until(() => messages.find((m) => m.type === 'slash_commands'), 'envelope');
    expect(envelope).toMatchObject({ payload: { command: '/access', text: 'help' }, accepts_response_payload: true });
    ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'usage' } }));
    expect(await acked).toEqual({ envelope_id: envelope.envelope_id, payload: { text: 'usage' } });

    sm.sendDisconnect('warning');
    expect(await until(() => messages.find((m) => m.type === 'disconnect'), 'disconnect')).toMatchObject({ reason: 'warning' });
    ws.terminate();
  });

  it('keeps an envelope sent on a lost connection and delivers it again, marked as a retry, on the next', async () => {
    const first = await connect(sm.openConnection().url);
    const acked = sm.deliver({ type: 'interactive', payload: { type: 'block_actions' } });
    const sent = await until(() => first.messages.find((m) => m.type === 'interactive'), 'first delivery');
    sm.dropConnections();
    await until(() => (sm.connectionCount === 0 ? true : undefined), 'the drop');

    const second = await connect(sm.openConnection().url);
    const again = await until(() => second.messages.find((m) => m.type === 'interactive'), 'redelivery');
    expect(again).toMatchObject({ envelope_id: sent.envelope_id, retry_attempt: 1 });
    second.ws.send(JSON.stringify({ envelope_id: again.envelope_id }));
    expect(await acked).toEqual({ envelope_id: sent.envelope_id });
    second.ws.terminate();
  });
});
