import type { Handler } from './server.js';

/** One dependency's check: resolves true when it answers; may hang or reject. */
export type Probe = () => Promise<boolean>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, boolean>;
  /** The dependencies that failed or did not answer in time. */
  failing: string[];
}

export type HealthCheck = () => Promise<HealthReport>;

/** Under a second in total, whatever the dependencies do. */
export const HEALTH_TIMEOUT_MS = 750;

/**
 * Runs every probe with a deadline: a dependency that hangs counts as failing. A probe still
 * running from an earlier check is joined, not started again, so a hanging dependency does not
 * pile up connections while a load balancer keeps asking.
 */
export function healthCheck(probes: Record<string, Probe>, timeoutMs = HEALTH_TIMEOUT_MS): HealthCheck {
  const running = new Map<string, Promise<boolean>>();
  const probeOnce = (name: string, probe: Probe): Promise<boolean> => {
    let p = running.get(name);
    if (!p) {
      p = Promise.resolve()
        .then(probe)
        .then(
          (ok) => ok === true,
          () => false,
        )
        .finally(() => running.delete(name));
      running.set(name, p);
    }
    return p;
  };
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const names = Object.keys(probes);
    const results = await Promise.all(names.map((name) => Promise.race([probeOnce(name, probes[name]!), deadline])));
    clearTimeout(timer);
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const failing = names.filter((name) => !checks[name]);
    return { ok: failing.length === 0, checks, failing };
  };
}

/** GET (and HEAD) /healthz: 200 when every check passes, 503 naming the failing ones otherwise. */
export function healthHandler(check: HealthCheck): Handler {
  return (_req, res) => {
    check().then(
      (h) => {
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(h));
      },
      () => {
        if (!res.headersSent) res.writeHead(503, { 'content-length': '0' });
        res.end();
      },
    );
  };
}

/** GET (and HEAD) /livez: 200 while the process is up and serving, whatever its dependencies do. */
export const livenessHandler: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end('{"ok":true}');
};
