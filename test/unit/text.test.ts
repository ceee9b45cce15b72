import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { quoteTyped, TEXT_LIMITS, textProblem } from '../../src/shared/text.js';
import { checkedView, viewProblem } from '../../src/slack/views.js';
import { buildAcknowledgementView } from '../../src/slack/blocks/acknowledgement.blocks.js';

describe('free text', () => {
  it.each(['\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b'])('refuses control character %j anywhere', (c) => {
    expect(textProblem(`before${c}after`, 'reason')).toBe('control_characters');
    expect(textProblem(`before${c}after`, 'datasetId')).toBe('control_characters');
  });

  it.each(['\u202e', '\u202d', '\u202a', '\u2066', '\u2069'])('refuses bidirectional override %j, which reorders what approvers read', (c) => {
    expect(textProblem(`for the Q3 ${c}ngiapmac`, 'reason')).toBe('control_characters');
    expect(textProblem(`1d${c}`, 'duration')).toBe('control_characters');
    expect(quoteTyped(`crm${c}contacts`)).toBe('crmcontacts');
  });

  it('keeps the plain direction marks that right-to-left text uses', () => {
    expect(textProblem('حملة الربيع\u200f Q3', 'reason')).toBeUndefined();
  });

  it('takes newlines and tabs in multi-line fields only', () => {
    expect(textProblem('line one\nline two\r\n\tindented', 'reason')).toBeUndefined();
    expect(textProblem('crm\ncontacts', 'datasetId')).toBe('control_characters');
    expect(textProblem('1d\t', 'duration')).toBe('control_characters');
  });

  it('accepts ordinary text in any language, emoji included', () => {
    expect(textProblem('Análisis de campaña — 日本語 🚀 “quoted”', 'reason')).toBeUndefined();
  });

  it('bounds every field', () => {
    for (const [field, max] of Object.entries(TEXT_LIMITS) as Array<[keyof typeof TEXT_LIMITS, number]>) {
      expect(textProblem('a'.repeat(max), field)).toBeUndefined();
      expect(textProblem('a'.repeat(max + 1), field)).toBe('too_long');
    }
  });

  it('quotes typed text back short and clean', () => {
    expect(quoteTyped('crm\u0000`contacts`', 40)).toBe("crm'contacts'");
    expect([...quoteTyped('x'.repeat(500), 40)]).toHaveLength(40);
  });
});

describe('views', () => {
  const log = createLogger('silent');
  const policy = { version: 'v1', text: 'Policy', reacknowledgeAfterDays: 365, tips: [] };

  it('a view whose private_metadata is over 3,000 characters is refused before it is sent', () => {
    const view = buildAcknowledgementView(policy, 'x'.repeat(3001));
    expect(viewProblem(view)).toBe('private_metadata');
    expect(() => checkedView(view, log)).toThrow(/larger than Slack allows/);
    const fine = buildAcknowledgementView(policy, 'x'.repeat(22));
    expect(checkedView(fine, log)).toBe(fine);
  });

  it('only src/slack/views.ts calls views.open, push, update or publish', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith(join('slack', 'views.ts')) && /\bviews\.(open|push|update|publish)\s*\(/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    walk(new URL('../../src', import.meta.url).pathname);
    expect(offenders).toEqual([]);
  });
});
