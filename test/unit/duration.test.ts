import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/shared/duration.js';

describe('durations', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['7d', 10080],
    ['2w', 20160],
    ['3 days', 4320],
    ['1 Hour', 60],
  ])('parses %s', (text, minutes) => expect(parseDuration(text)).toBe(minutes));

  it.each(['', '0d', '7', 'd', '7y', '-1d', '1.5h', '4h30m', '999999d'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats with at most two units', () => {
    expect(formatDuration(10080)).toBe('1 week');
    expect(formatDuration(90)).toBe('1 hour 30 minutes');
    expect(formatDuration(2 * 10080 + 1440 + 61)).toBe('2 weeks 1 day');
    expect(formatDuration(1)).toBe('1 minute');
  });
});
