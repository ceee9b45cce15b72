import { describe, expect, it } from 'vitest';
import { ibanValid, looksLikeCustomerExport, luhnValid, scanText } from '../../src/modules/nudges/nudges.rules.js';

const found = (text: string) => scanText(text).map((f) => f.detector);

describe('payment cards', () => {
  it.each([
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    'card:5500000000000004.',
    'amex 3782 822463 10005',
    '6011 1111 1111 1117',
  ])('finds %s', (text) => expect(found(text)).toEqual(['payment_card']));

  it.each([
    '4111 1111 1111 1112', // fails Luhn
    'order 1234-5678-9012-3456', // no card prefix
    '0000 0000 0000 0000',
    'tracking 9400111899223397658538', // too long, part of a longer number
    'phone +1 415 555 0101',
  ])('ignores %s', (text) => expect(found(text)).not.toContain('payment_card'));

  it('checks Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('US social security numbers', () => {
  it('finds dashed numbers that could have been issued', () => {
    expect(found('SSN 123-45-6789')).toEqual(['us_ssn']);
  });
  it.each(['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '123456789', '2026-03-02'])('ignores %s', (text) =>
    expect(found(text)).not.toContain('us_ssn'),
  );
});

describe('IBANs', () => {
  it('validates the mod-97 checksum and the country length', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(ibanValid('DE89 3704 0044 0532 0130')).toBe(false); // too short for DE
  });
  it('finds them in text and ignores look-alikes', () => {
    expect(found('pay to NL91 ABNA 0417 1643 00 today')).toEqual(['iban']);
    expect(found('SKU AB12 CDEF 3456 7890')).toEqual([]);
  });
});

describe('bulk personal data', () => {
  it('fires at 5 distinct email addresses, not fewer', () => {
    expect(found('a@x.io b@x.io c@x.io d@x.io e@x.io')).toEqual(['bulk_emails']);
    expect(found('a@x.io b@x.io c@x.io d@x.io')).toEqual([]);
    expect(found('a@x.io A@X.IO a@x.io b@x.io c@x.io d@x.io')).toEqual([]); // duplicates count once
  });
  it('reads addresses inside Slack mailto links once', () => {
    expect(found('<mailto:a@x.io|a@x.io> <mailto:b@x.io|b@x.io> <mailto:c@x.io|c@x.io> <mailto:d@x.io|d@x.io> <mailto:e@x.io|e@x.io>')).toEqual(['bulk_emails']);
  });
  it('fires at 5 phone numbers, not at dates, times or counts', () => {
    expect(found('+49 30 1234567, +1 (415) 555-0101, 030 123 4567, 0171 234 5678, +44 20 7946 0958')).toEqual(['bulk_phones']);
    expect(found('2026-03-02 10:30, 2026-03-03 11:00, 1,234 visits, v1.2.3, 12 34 56')).toEqual([]);
  });
});

describe('files', () => {
  it.each([
    ['customers.csv', 'csv', true],
    ['crm_export_march.xlsx', 'xlsx', true],
    ['Leads - Q1.csv', 'csv', true],
    ['q1-chart.png', 'png', false],
    ['budget.xlsx', 'xlsx', false],
    ['customer-journey.pdf', 'pdf', false],
  ])('%s → %s', (name, filetype, expected) => expect(looksLikeCustomerExport({ name, filetype })).toBe(expected));
});
