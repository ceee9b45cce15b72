import { sql } from 'drizzle-orm';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { Db } from '../../src/shared/db/client.js';
import { makeDataset } from './catalog.js';

/** The scale shape of issue #12: `datasets` datasets, one owner each, `perDataset` active grants on each. */
export interface ScaleShape {
  datasets: number;
  perDataset: number;
}

export const scaleDatasetId = (d: number) => `ds-${String(d).padStart(4, '0')}`;
export const scaleOwnerId = (d: number) => `U0OWN${String(d).padStart(4, '0')}`;

/** A catalog of `datasets` datasets, each with its own single owner (never a holder). */
export function scaleCatalog(shape: ScaleShape, admins = ['U0ADMIN1']): Catalog {
  return {
    admins,
    datasets: Array.from({ length: shape.datasets }, (_, d) => makeDataset({ id: scaleDatasetId(d), name: `Dataset ${d}`, owners: [scaleOwnerId(d)] })),
  };
}

/**
 * Writes `datasets × perDataset` approved requests (holder `u` is `U0HLD` and five digits) and their active grants in two statements
 * (seeding for scale tests and the bench; the product never writes grants this way). Holder `u`
 * holds a grant on every dataset, so each dataset has `perDataset` distinct holders.
 */
export async function seedActiveGrants(db: Db, shape: ScaleShape, now: Date): Promise<number> {
  const total = shape.datasets * shape.perDataset;
  const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const until = new Date(now.getTime() + 30 * 24 * 3600_000).toISOString();
  // row i: dataset i % datasets, holder i / datasets; ids derived from i so the grant can name its request
  await db.execute(sql`
    insert into access_requests (id, kind, dataset_id, requester_id, duration_minutes, reason, status, created_at, decided_by, decided_at)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'access',
           'ds-' || lpad((i % ${shape.datasets})::text, 4, '0'), 'U0HLD' || lpad((i / ${shape.datasets})::text, 5, '0'),
           43200, 'quarterly reporting', 'approved', ${since}::timestamptz, 'U0ADMIN1', ${since}::timestamptz
    from generate_series(0, ${total - 1}) as i`);
  await db.execute(sql`
    insert into grants (id, request_id, dataset_id, user_id, status, duration_minutes, starts_at, ends_at)
    select ('00000000-0000-4000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
           'ds-' || lpad((i % ${shape.datasets})::text, 4, '0'), 'U0HLD' || lpad((i / ${shape.datasets})::text, 5, '0'),
           'active', 43200, ${since}::timestamptz + (i % 97) * interval '1 minute', ${until}::timestamptz
    from generate_series(0, ${total - 1}) as i`);
  return total;
}
