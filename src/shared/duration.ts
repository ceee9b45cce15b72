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

/** 10080 → "1 week", 90 → "1 hour 30 minutes", 2880 → "2 days". Two largest units at most. */
export function formatDuration(minutes: number): string {
  const parts: string[] = [];
  let rest = minutes;
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_MINUTES[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${UNIT_NAMES[unit]}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
  }
  return parts.slice(0, 2).join(' ') || '0 minutes';
}
