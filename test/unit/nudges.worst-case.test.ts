import { describe, expect, it } from 'vitest';
import { MAX_SCAN_CHARS, scanText } from '../../src/modules/nudges/nudges.rules.js';
import { WORST_CASE_SHAPES, fill } from '../../bench/scan-shapes.js';

const found = (text: string) => scanText(text).map((f) => f.detector);
const EMAILS = 'a@x.io b@x.io c@x.io d@x.io e@x.io';
const CARD = '4111 1111 1111 1111';

/**
 * Detection results on the inputs that made the old detectors backtrack (their speed is shown by
 * `npm run bench`, not asserted here): sensitive data next to each shape is still found.
 */
describe('the scan on worst-case shapes', () => {
  it.each(Object.entries(WORST_CASE_SHAPES))('%s: finds what follows it', (_name, shape) => {
    expect(shape.length).toBe(40_000);
    const padded = `${shape.slice(0, 30_000)}\nso: ${CARD} ${EMAILS} pay DE89 3704 0044 0532 0130 00`;
    expect(found(padded)).toEqual(expect.arrayContaining(['payment_card', 'bulk_emails', 'iban']));
  });

  it('reads an address right after a long run of address characters as one address', () => {
    const text = `${'x'.repeat(20_000)}@x.io b@x.io c@x.io d@x.io e@x.io`;
    expect(found(text)).toEqual(['bulk_emails']);
  });

  it('finds an IBAN in groups followed by more digit groups', () => {
    expect(found('pay DE89 3704 0044 0532 0130 00 1234 5678 thanks')).toEqual(['iban']);
  });

  it('finds IBANs among many near-IBANs', () => {
    const text = `${fill('DE89 3704 0044 0532 0130 01 ', 30_000)} and DE89 3704 0044 0532 0130 00`;
    expect(scanText(text)).toEqual([{ detector: 'iban', count: 1 }]);
  });

  it('still reads emails inside mailto links among unclosed brackets', () => {
    const text = `${'<'.repeat(10)}<mailto:a@x.io|a@x.io> <mailto:b@x.io|b> c@x.io d@x.io e@x.io ${'<'.repeat(10_000)}`;
    expect(found(text)).toEqual(['bulk_emails']);
  });

  it(`never looks past ${MAX_SCAN_CHARS} characters, Slack's own limit on a message`, () => {
    expect(found(`${' '.repeat(MAX_SCAN_CHARS - 30)} ${CARD}`)).toEqual(['payment_card']);
    expect(found(`${' '.repeat(MAX_SCAN_CHARS)} ${CARD}`)).toEqual([]);
  });
});
