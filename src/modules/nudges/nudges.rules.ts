/**
 * Detectors for sensitive data posted in Slack. Pure functions over the text: they return what
 * KIND of thing was found and how many, never the matched values, so nothing sensitive leaves
 * this file. Each is tuned against false positives (checksums, context, thresholds).
 */
export type DetectorName = 'payment_card' | 'us_ssn' | 'iban' | 'bulk_emails' | 'bulk_phones' | 'customer_export_file';

export interface Finding {
  detector: DetectorName;
  count: number;
}

export const BULK_THRESHOLD = 5;

/** Luhn checksum, as card numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// 13–19 digits, optionally grouped by single spaces or dashes, not part of a longer number
const CARD_CANDIDATE = /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g;
// issuer prefixes of the major networks: Visa 4, Mastercard 51–55 / 2221–2720, Amex 34/37, Discover 6011/65, JCB 35
const CARD_PREFIX = /^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|65|35)/;

export function countPaymentCards(text: string): number {
  let count = 0;
  for (const match of text.matchAll(CARD_CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (/^(\d)\1+$/.test(digits)) continue; // 0000 0000 … and friends
    if (CARD_PREFIX.test(digits) && luhnValid(digits)) count++;
  }
  return count;
}

// AAA-GG-SSSS with dashes only: bare 9-digit numbers are too often something else
const SSN = /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/g;

export function countSsns(text: string): number {
  let count = 0;
  for (const [, area, group, serial] of text.matchAll(SSN)) {
    // never issued: area 000, 666 or 900–999; group 00; serial 0000
    if (area === '000' || area === '666' || area![0] === '9' || group === '00' || serial === '0000') continue;
    count++;
  }
  return count;
}

const IBAN_CANDIDATE = /\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8})\b/g;
const IBAN_LENGTHS: Record<string, number> = {
  AT: 20, BE: 16, CH: 21, CZ: 24, DE: 22, DK: 18, ES: 24, FI: 18, FR: 27, GB: 22, IE: 22, IT: 27,
  LU: 20, NL: 18, NO: 15, PL: 28, PT: 25, SE: 24,
};

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/ /g, '').toUpperCase();
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

export function countIbans(text: string): number {
  let count = 0;
  for (const [, candidate] of text.matchAll(IBAN_CANDIDATE)) if (ibanValid(candidate!)) count++;
  return count;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// international or national phone numbers with at least 9 digits, written with separators or a +
const PHONE = /(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,8}){1,4}(?![\w.])/g;

function distinct(matches: Iterable<RegExpMatchArray>, normalise: (s: string) => string): number {
  return new Set([...matches].map((m) => normalise(m[0]))).size;
}

export function countEmails(text: string): number {
  return distinct(text.matchAll(EMAIL), (s) => s.toLowerCase());
}

export function countPhones(text: string): number {
  return distinct(
    [...text.matchAll(PHONE)].filter((m) => {
      const digits = m[0].replace(/\D/g, '').length;
      return digits >= 9 && digits <= 15; // E.164 allows at most 15
    }),
    (s) => s.replace(/\D/g, ''),
  );
}

/** Slack wraps links and mentions in <…>; their contents are not what the person typed. */
function stripSlackMarkup(text: string): string {
  return text.replace(/<mailto:([^|>]+)\|[^>]*>/g, '$1').replace(/<[^>]*>/g, ' ');
}

export function scanText(raw: string): Finding[] {
  const text = stripSlackMarkup(raw);
  const findings: Finding[] = [];
  const add = (detector: DetectorName, count: number, min = 1) => {
    if (count >= min) findings.push({ detector, count });
  };
  add('payment_card', countPaymentCards(text));
  add('us_ssn', countSsns(text));
  add('iban', countIbans(text));
  add('bulk_emails', countEmails(text), BULK_THRESHOLD);
  add('bulk_phones', countPhones(text), BULK_THRESHOLD);
  return findings;
}

const EXPORT_TYPES = new Set(['csv', 'tsv', 'xlsx', 'xls']);
const EXPORT_WORDS = /(customer|client|contact|subscriber|lead|member|user|crm|export|dump|list|emails?|leads)/i;

/** A spreadsheet whose name suggests people's data: customers.csv, crm_export.xlsx, leads-march.csv. */
export function looksLikeCustomerExport(file: { name?: string; filetype?: string }): boolean {
  const name = file.name ?? '';
  const type = (file.filetype ?? name.split('.').pop() ?? '').toLowerCase();
  return EXPORT_TYPES.has(type) && EXPORT_WORDS.test(name);
}
