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

const IBAN_LENGTHS: Record<string, number> = {
  AT: 20, BE: 16, CH: 21, CZ: 24, DE: 22, DK: 18, ES: 24, FI: 18, FR: 27, GB: 22, IE: 22, IT: 27,
  LU: 20, NL: 18, NO: 15, PL: 28, PT: 25, SE: 24,
};

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

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLetter = (c: number) => isUpper(c) || (c >= 97 && c <= 122);
const isWordChar = (c: number) => isLetter(c) || isDigit(c) || c === 95; // what \b means by a word
const SPACE = 32;

/**
 * IBANs: two capital letters and two check digits at the start of a word, then letters and digits
 * written together or in groups separated by single spaces. Every way of ending the candidate at a
 * group's end (up to 34 characters) is checked, so each start costs a bounded amount of work.
 */
export function countIbans(text: string): number {
  let count = 0;
  let i = 0;
  while (i + 4 <= text.length) {
    const atWordStart = i === 0 || !isWordChar(text.charCodeAt(i - 1));
    if (!atWordStart || !isUpper(text.charCodeAt(i)) || !isUpper(text.charCodeAt(i + 1)) || !isDigit(text.charCodeAt(i + 2)) || !isDigit(text.charCodeAt(i + 3))) {
      i++;
      continue;
    }
    const end = ibanEndingAt(text, i);
    if (end === undefined) {
      i++;
      continue;
    }
    count++;
    i = end;
  }
  return count;
}

const IBAN_LENGTH_BY_CODE = new Map(Object.entries(IBAN_LENGTHS).map(([country, length]) => [country.charCodeAt(0) * 256 + country.charCodeAt(1), length]));

/**
 * Where a valid IBAN starting at `start` ends (the longest one wins). The ISO 13616 remainder is
 * carried along as characters are read, so each possible end costs constant work and nothing is
 * allocated.
 */
function ibanEndingAt(text: string, start: number): number | undefined {
  const expected = IBAN_LENGTH_BY_CODE.get(text.charCodeAt(start) * 256 + text.charCodeAt(start + 1));
  // the first four characters count last: as a number (letters as two digits) and its power of ten
  let head = 0;
  let headScale = 1;
  for (let k = start; k < start + 4; k++) {
    const c = text.charCodeAt(k);
    const twoDigits = !isDigit(c);
    head = head * (twoDigits ? 100 : 10) + (twoDigits ? c - 55 : c - 48);
    headScale = (headScale * (twoDigits ? 100 : 10)) % 97;
  }
  let remainder = 0;
  let length = 4;
  let best: number | undefined;
  let j = start + 4;
  for (;;) {
    const c = j < text.length ? text.charCodeAt(j) : -1;
    const next = j + 1 < text.length ? text.charCodeAt(j + 1) : -1;
    const groupEnds = c === SPACE && (isUpper(next) || isDigit(next));
    // a candidate ends before a space between groups, or at a word boundary as `\b` would require
    if ((groupEnds || c < 0 || !isWordChar(c)) && length >= 15 && (expected === undefined || length === expected)) {
      if ((remainder * headScale + head) % 97 === 1) best = j;
    }
    if (length >= 34 || !(groupEnds || isUpper(c) || isDigit(c))) break;
    if (!groupEnds) {
      remainder = isDigit(c) ? (remainder * 10 + (c - 48)) % 97 : (remainder * 100 + (c - 55)) % 97;
      length++;
    }
    j++;
  }
  return best;
}

// characters of an address's local part and of its domain, as the classic pattern
// [A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,} has them
const isLocalChar = (c: number) => isLetter(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomainChar = (c: number) => isLetter(c) || isDigit(c) || c === 46 || c === 45;
const AT = 64;
const DOT = 46;

/**
 * Email addresses, found from each `@` outwards in one pass (a regex with an unanchored `+` at the
 * front backtracks quadratically on long runs without an `@`). Returns the distinct addresses.
 */
export function findEmails(text: string): string[] {
  const found: string[] = [];
  let consumed = 0; // where the last match ended: a new local part starts no earlier
  let localStart = -1; // start of the current run of local-part characters
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== AT) {
      if (isLocalChar(c)) {
        if (localStart < 0) localStart = i;
      } else localStart = -1;
      continue;
    }
    const from = localStart < 0 ? -1 : Math.max(localStart, consumed);
    localStart = -1;
    if (from < 0 || from >= i) continue;
    const end = emailDomainEnd(text, i + 1);
    if (end === undefined) continue;
    found.push(text.slice(from, end));
    consumed = end;
    i = end - 1;
  }
  return found;
}

/** The end of `domain.tld` starting at `start`: the last dot in the run followed by 2+ letters. */
function emailDomainEnd(text: string, start: number): number | undefined {
  let runEnd = start;
  while (runEnd < text.length && isDomainChar(text.charCodeAt(runEnd))) runEnd++;
  // walking back from the end of the run finds the last dot that has 2+ letters after it
  let lettersAfter = 0;
  for (let k = runEnd - 1; k > start; k--) {
    const c = text.charCodeAt(k);
    if (c === DOT && lettersAfter >= 2) return k + 1 + lettersAfter;
    lettersAfter = isLetter(c) ? lettersAfter + 1 : 0;
  }
  return undefined;
}

// international or national phone numbers with at least 9 digits, written with separators or a +.
// Every quantifier is bounded, so each start position costs a bounded amount of work.
const PHONE = /(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,8}){1,4}(?![\w.])/g;

export function countEmails(text: string): number {
  return new Set(findEmails(text).map((s) => s.toLowerCase())).size;
}

export function countPhones(text: string): number {
  const numbers = new Set<string>();
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 9 && digits.length <= 15) numbers.add(digits); // E.164 allows at most 15
  }
  return numbers.size;
}

/**
 * Slack wraps links and mentions in <…>; their contents are not what the person typed. A mailto
 * link keeps its address. One pass: once no `>` is left, nothing further can be markup.
 */
export function stripSlackMarkup(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const first = text.indexOf('<', i);
    if (first < 0) break;
    const close = text.indexOf('>', first + 1);
    if (close < 0) break;
    const open = text.lastIndexOf('<', close); // a stray '<' before the markup stays text
    out += text.slice(i, open);
    const inner = text.slice(open + 1, close);
    const pipe = inner.indexOf('|');
    out += inner.startsWith('mailto:') && pipe > 'mailto:'.length ? inner.slice('mailto:'.length, pipe) : ' ';
    i = close + 1;
  }
  return out + text.slice(i);
}

/** Slack keeps a message's text to 40,000 characters; the scan never looks further. */
export const MAX_SCAN_CHARS = 40_000;

export function scanText(raw: string): Finding[] {
  const text = stripSlackMarkup(raw.length > MAX_SCAN_CHARS ? raw.slice(0, MAX_SCAN_CHARS) : raw);
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
