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

  it.each([
    ['30d', '30 days'],
    ['14d', '14 days'],
    ['7d', '7 days'],
    ['90d', '90 days'],
    ['1d', '1 day'],
    ['24h', '1 day'],
    ['36h', '36 hours'],
    ['4h', '4 hours'],
    ['1h', '1 hour'],
    ['90m', '90 minutes'],
    ['1m', '1 minute'],
    ['2w', '14 days'],
  ])('shows %s the way it is written, in one unit: %s', (text, shown) => {
    expect(formatDuration(parseDuration(text)!)).toBe(shown);
  });
});
