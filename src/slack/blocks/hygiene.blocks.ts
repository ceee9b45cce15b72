import type { KnownBlock } from '@slack/types';
import { SENSITIVITIES } from '../../catalog/policy.js';
import type { HygieneComparison } from '../../modules/hygiene/figures.usecases.js';
import type { Headline, HeadlineKey, HygieneFigures } from '../../modules/hygiene/figures.rules.js';
import { context, section, SENSITIVITY_LABEL } from './format.js';
import type { EphemeralReply } from './command.blocks.js';
import type { OutgoingMessage } from './request.blocks.js';

const ARROW: Record<Headline['direction'], string> = { up: '↑', down: '↓', flat: '→', none: '·' };
const VERDICT: Record<Headline['verdict'], string> = { better: ':white_check_mark: better', worse: ':warning: worse', same: 'steady', unknown: 'nothing to compare' };

const num = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en-US');
const pct = (n: number) => `${Math.round(n * 100)}%`;

/** How each headline number reads, and its unit. */
const HEADLINE_TEXT: Record<HeadlineKey, { label: string; format: (n: number) => string }> = {
  standing_grant_days: { label: 'Standing access', format: (n) => `${num(n)} grant-days a week` },
  sensitive_people: { label: 'People holding restricted or confidential data on an average day', format: num },
  median_grant_days: { label: 'Median grant length', format: (n) => `${num(n)} days` },
  released_early: { label: 'Grants released early', format: pct },
  median_decision_hours: { label: 'Median time to a decision', format: (n) => `${num(n)} h` },
  review_on_time: { label: 'Review answers on time', format: pct },
  coachings_fixed: { label: 'Sensitive-data coachings fixed', format: pct },
};

/** One line per headline: "*Label:* value ↓ (before: value) better". */
export function headlineLines(c: HygieneComparison): string[] {
  return c.headlines.map((h) => {
    const t = HEADLINE_TEXT[h.key];
    const now = h.current === null ? '—' : t.format(h.current);
    const before = h.previous === null ? '—' : t.format(h.previous);
    return `*${t.label}:* ${now} ${ARROW[h.direction]} (before: ${before}) ${VERDICT[h.verdict]}`;
  });
}

function tierLine(f: HygieneFigures): string {
  return SENSITIVITIES.map((tier) => `${SENSITIVITY_LABEL[tier]} ${num(f.byTier[tier].grantDays)}`).join(' · ');
}

function countsLine(f: HygieneFigures): string {
  const t = f.total;
  return `${t.grantsHeld} grants held, ${t.grantsEnded} ended, ${t.decisions} decisions, ${f.coachings.sent} coachings (${f.coachings.fixed} fixed)`;
}

/** The figures' blocks: the headlines, grant-days per tier this week, and what they were computed from. */
export function hygieneBlocks(c: HygieneComparison): KnownBlock[] {
  return [
    section(`*Hygiene, the last 7 days against the 4 weeks before*\n${headlineLines(c).join('\n')}`),
    context(`Grant-days this week by tier: ${tierLine(c.current)}. This week: ${countsLine(c.current)}. "Before" is the four weeks before, taken together (grant-days per week averaged).`),
  ];
}

/** `/access report`. */
export function hygieneReportReply(c: HygieneComparison): EphemeralReply {
  const text = `:bar_chart: Access hygiene: standing access ${ARROW[c.headlines[0]!.direction]} this week`;
  return { text, blocks: hygieneBlocks(c) };
}

/** The review summary with the hygiene figures after it, when it has them. */
export function withHygiene(message: OutgoingMessage, hygiene: HygieneComparison | undefined): OutgoingMessage {
  return hygiene ? { ...message, blocks: [...(message.blocks ?? []), ...hygieneBlocks(hygiene)] } : message;
}
