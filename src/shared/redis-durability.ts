/**
 * BullMQ keeps jobs only as long as Redis keeps its keys: an evicting Redis (any
 * `maxmemory-policy` but `noeviction`) drops them under memory pressure, and one without
 * persistence loses them all on a restart. Either way timers are late until the reconciler rebuilds
 * them from Postgres. At start-up the bot reads Redis's settings and warns, one line each.
 */

/** What could be read of Redis's settings; undefined: not known. */
export interface RedisDurability {
  /** `config`: CONFIG GET answered; `info`: it was refused and INFO answered; `none`: neither. */
  source: 'config' | 'info' | 'none';
  maxmemoryPolicy?: string;
  /** The RDB snapshot schedule (`save`); '' means no snapshots. Not known from INFO. */
  save?: string;
  appendonly?: boolean;
}

/** The subset of an ioredis client used here. */
export interface RedisSettingsReader {
  config(op: 'GET', parameter: string): Promise<unknown>;
  info(section: string): Promise<string>;
}

const CHECK_TIMEOUT_MS = 2_000;

export async function readRedisDurability(redis: RedisSettingsReader, timeoutMs = CHECK_TIMEOUT_MS): Promise<RedisDurability> {
  const read = async (): Promise<RedisDurability> => {
    try {
      const get = async (name: string) => {
        const reply = (await redis.config('GET', name)) as string[];
        if (!Array.isArray(reply) || reply.length < 2) throw new Error(`CONFIG GET ${name}: no value`);
        return String(reply[1]);
      };
      const [maxmemoryPolicy, save, appendonly] = [await get('maxmemory-policy'), await get('save'), await get('appendonly')];
      return { source: 'config', maxmemoryPolicy, save, appendonly: appendonly === 'yes' };
    } catch {
      // managed Redis often forbids CONFIG; INFO says the policy and whether AOF is on
    }
    try {
      const fields = infoFields(`${await redis.info('memory')}\n${await redis.info('persistence')}`);
      const aof = fields.get('aof_enabled');
      return { source: 'info', maxmemoryPolicy: fields.get('maxmemory_policy'), ...(aof !== undefined ? { appendonly: aof === '1' } : {}) };
    } catch {
      return { source: 'none' };
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<RedisDurability>((resolve) => {
    timer = setTimeout(() => resolve({ source: 'none' }), timeoutMs);
  });
  try {
    return await Promise.race([read(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line per problem found (or per thing that could not be checked); empty when all is well. */
export function durabilityWarnings(d: RedisDurability): string[] {
  if (d.source === 'none') {
    return [
      'Could not check Redis’s maxmemory-policy and persistence (CONFIG GET and INFO were refused or did not answer): make sure it runs with maxmemory-policy noeviction and appendonly yes, or BullMQ may lose jobs.',
    ];
  }
  const warnings: string[] = [];
  if (d.maxmemoryPolicy === undefined) {
    warnings.push('Could not read Redis’s maxmemory-policy: make sure it is noeviction, or under memory pressure Redis may evict BullMQ’s jobs.');
  } else if (d.maxmemoryPolicy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is ${d.maxmemoryPolicy}, not noeviction: under memory pressure Redis evicts BullMQ’s job keys, and grants' timers are late until the reconciler rebuilds them. Set maxmemory-policy noeviction.`,
    );
  }
  if (d.source === 'config') {
    if (d.save === '' && d.appendonly === false) {
      warnings.push('Redis persistence is off (no RDB save schedule, appendonly no): a Redis restart loses every queued job until the reconciler rebuilds them. Set appendonly yes.');
    }
  } else if (d.appendonly !== true) {
    warnings.push(
      'Redis’s append-only file is off or unknown, and its RDB save schedule cannot be read (CONFIG GET is refused, checked with INFO): unless snapshots are on, a Redis restart loses every queued job. Prefer appendonly yes.',
    );
  }
  return warnings;
}

function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return fields;
}
