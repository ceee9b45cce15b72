/** Durations as people type them: 30m, 4h, 7d, 2w. Stored and compared as whole minutes. */
const UNIT_MINUTES = { m: 1, h: 60, d: 60 * 24, w: 60 * 24 * 7 } as const;
const UNIT_NAMES = { m: 'minute', h: 'hour', d: 'day', w: 'week' } as const;
type Unit = keyof typeof UNIT_MINUTES;

const DURATION_RE = /^(\d{1,5})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$/i;

/** Returns whole minutes, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase()[0] as Unit;
  const minutes = amount * UNIT_MINUTES[unit];
  return minutes > 0 ? minutes : undefined;
}

export function looksLikeDuration(text: string): boolean {
  return /^\d+\s*[a-z]*$/i.test(text.trim());
}

/**
 * A duration in one unit, the way people write them in the catalog and in commands: 43200 → "30
 * days" (never "4 weeks 2 days"), 10080 → "7 days", 240 → "4 hours", 90 → "90 minutes". Whole days
 * stay days, so a catalog's `30d` or `14d` reads back as written; weeks are not used, since `2w`
 * and `14d` are the same number of minutes and "14 days" is exact for both.
 */
export function formatDuration(minutes: number): string {
  const whole = Math.max(0, Math.round(minutes));
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = UNIT_MINUTES[unit];
    if (whole >= size && whole % size === 0) return plural(whole / size, UNIT_NAMES[unit]);
  }
  return plural(whole, UNIT_NAMES.m);
}

function plural(count: number, name: string): string {
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}
