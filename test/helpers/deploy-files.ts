import { parse } from 'yaml';

/** compose.yaml as docker compose reads it (`<<:` merge keys included). */
export function parseCompose(text: string): any {
  return parse(text, { merge: true });
}

/** KEY=value lines of a .env file (comments and blank lines skipped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

/**
 * Compose's interpolation of a value from the variables in `.env`: `${X}`, `${X:-default}` (unset
 * or empty), `${X-default}` (unset), `${X:?error}` / `${X?error}` (refuse to start), `$$` for `$`.
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name?: string, colon?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const v = vars[name!];
    const missing = v === undefined || (colon === ':' && v === '');
    if (op === '-') return missing ? arg! : v!;
    if (op === '?' && missing) throw new Error(`${name}: ${arg}`);
    return v ?? '';
  });
}

/** The environment a compose service's process gets: its env_file (here `.env` = `dotenv`) under its interpolated `environment`. */
export function composeEnvironment(service: { env_file?: string; environment?: Record<string, unknown> }, dotenv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = service.env_file === '.env' ? { ...dotenv } : {};
  for (const [k, v] of Object.entries(service.environment ?? {})) env[k] = interpolate(String(v ?? ''), dotenv);
  return env;
}

export interface DockerStage {
  from: string;
  name?: string;
  lines: Array<{ instruction: string; args: string }>;
}

/** A Dockerfile's stages and their instructions (comments dropped, continuation lines joined). */
export function dockerfileStages(text: string): DockerStage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: DockerStage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const instruction = m[1]!.toUpperCase();
    const args = m[2]!.trim().replace(/\s+/g, ' ');
    if (instruction === 'FROM') {
      const [from, as, name] = args.split(' ');
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, lines: [] });
    } else stages.at(-1)?.lines.push({ instruction, args });
  }
  return stages;
}

/** The command of the final stage's HEALTHCHECK (exec form), as an argv. */
export function healthcheckArgv(stages: DockerStage[]): string[] {
  const args = stages.at(-1)!.lines.find((l) => l.instruction === 'HEALTHCHECK')!.args;
  return JSON.parse(args.slice(args.indexOf('CMD ') + 4));
}
