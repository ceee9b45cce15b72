import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Slack's Socket Mode WebSocket endpoint, just enough of it: until `open()` the WebSocket
 * handshake is accepted on TCP and never answered (a connection that does not open); after it,
 * the handshake completes and Slack's `hello` is sent. Pings are answered and closes echoed.
 */
export class FakeSocketMode {
  private server?: Server;
  private held: Array<{ req: IncomingMessage; socket: Duplex }> = [];
  private sockets = new Set<Duplex>();
  private accepting = false;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      if (this.accepting) this.complete(req, socket);
      else this.held.push({ req, socket });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as { port: number }).port}/link`;
    return this;
  }

  /** Completes the handshakes waiting and every later one. */
  open(): void {
    this.accepting = true;
    for (const { req, socket } of this.held.splice(0)) this.complete(req, socket);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private complete(req: IncomingMessage, socket: Duplex): void {
    if (socket.destroyed) return;
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0APP' } }))));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const parsed = parseClientFrame(buffered);
        if (!parsed) return;
        buffered = buffered.subarray(parsed.length);
        if (parsed.opcode === 0x9) socket.write(frame(0xa, parsed.payload));
        if (parsed.opcode === 0x8) {
          socket.end(frame(0x8, parsed.payload));
          return;
        }
      }
    });
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length]) : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

/** A masked client frame at the start of `buf`, or undefined while incomplete. */
function parseClientFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (buf[1]! & 0x80) !== 0;
  const mask = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode: buf[0]! & 0x0f, payload, length: offset + len };
}
