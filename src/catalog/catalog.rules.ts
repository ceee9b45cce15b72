import type { z } from 'zod';

/** Levenshtein distance between two short strings (catalog keys). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The known key closest to a mistyped one, when it is close enough to be a likely typo. */
export function closestKey(typed: string, known: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(typed.toLowerCase(), key);
    if (!best || distance < best.distance) best = { key, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.key : undefined;
}

type AnySchema = z.core.$ZodType;
const defOf = (s: AnySchema) => (s as unknown as { _zod: { def: Record<string, any>; values?: Set<unknown> } })._zod;

/** Unwraps defaults, optionals and pipes down to the schema that does the work. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = defOf(s).def;
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else return s;
  }
}

/**
 * The keys an object in the catalog may have, found by walking the schema along `path` (and the
 * raw YAML beside it, to pick the right variant of a union such as `provisioner` by its `type`).
 */
export function knownKeysAt(schema: AnySchema, raw: unknown, path: PropertyKey[]): string[] {
  let s = unwrap(schema);
  let value = raw;
  for (const segment of path) {
    const def = defOf(s).def;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    if (def.type === 'object') s = def.shape[segment as string];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    if (!s) return [];
    s = unwrap(s);
  }
  const def = defOf(s).def;
  if (def.type === 'object') return Object.keys(def.shape);
  if (def.type === 'union') {
    const options = (def.options as AnySchema[]).map(unwrap).filter((o) => defOf(o).def.type === 'object');
    const wanted = value && typeof value === 'object' ? (value as Record<string, unknown>).type : undefined;
    const matching = options.filter((o) => defOf(defOf(o).def.shape.type ?? o).values?.has(wanted));
    return [...new Set((matching.length ? matching : options).flatMap((o) => Object.keys(defOf(o).def.shape)))];
  }
  return [];
}

/** 43200 → "30d", 90 → "90m": how a duration is written in the catalog. */
export function catalogDuration(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}
