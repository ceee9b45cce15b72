/**
 * Inputs built to make sensitive-data detectors work hard: long runs a backtracking pattern would
 * try again from every position. Each is 40,000 characters, Slack's longest message.
 */
export const SCAN_INPUT_LENGTH = 40_000;

export function fill(unit: string, length = SCAN_INPUT_LENGTH): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

export const WORST_CASE_SHAPES: Record<string, string> = {
  'letters, no @': fill('a'),
  'one long number': fill('7'),
  'digits and single spaces': fill('1 '),
  'digits and dashes': fill('1-'),
  'digits and dots': fill('12.'),
  'SSN-like, never complete': fill('123-45-'),
  'phone-like groups': fill('1-12345678-12345678-12345678-12345678x '),
  'phone-like with a +': fill('+1 (123) 12.'),
  'card-like groups of 4': fill('4111 1111 1111 111 '),
  'many @ signs': fill('a@'),
  'only @ signs': fill('@'),
  'a domain with no dot': `a@${fill('b', SCAN_INPUT_LENGTH - 2)}`,
  'a domain of dots': `a@${fill('b.', SCAN_INPUT_LENGTH - 3)}1`,
  'addresses without a TLD': fill('x@y.z '),
  'IBAN start, long tail': fill(`DE89${'A'.repeat(33)} `),
  'IBAN-like groups': fill('DE89 1234 '),
  'unclosed <': fill('<'),
  'unclosed <mailto:': fill('<mailto:'),
  'mailto with a pipe, unclosed': fill('<mailto:a|'),
};
