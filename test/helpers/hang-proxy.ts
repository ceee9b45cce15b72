import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service that can be made to hang: connections stay open and
 * accepted, but nothing is forwarded any more (what a stuck Redis or Postgres looks like, unlike
 * one that refuses connections). `resume()` drops the stuck connections and forwards again.
 */
export class HangProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  private hanging = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => {});
      if (this.hanging) return; // accepted, never answered
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (d) => this.hanging || upstream.write(d));
      upstream.on('data', (d) => this.hanging || client.write(d));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** From now on nothing is forwarded, on open connections or new ones. */
  hang(): void {
    this.hanging = true;
  }

  resume(): void {
    this.hanging = false;
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** `url` with its host and port replaced by this proxy's. */
  via(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}
