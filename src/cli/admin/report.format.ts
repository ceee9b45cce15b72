import { SENSITIVITIES } from '../../catalog/policy.js';
import type { Figures, HygieneFigures } from '../../modules/hygiene/figures.rules.js';
import { csvField } from './audit-export.format.js';

/** Numbers to 3 decimals; an empty cell when there is nothing to measure. */
const n = (v: number | null) => (v === null ? '' : String(Math.round(v * 1000) / 1000));

const FIGURE_COLUMNS: Array<[string, (f: Figures) => number | null]> = [
  ['grant_days', (f) => f.grantDays],
  ['people_on_average_day', (f) => f.peopleOnAverageDay],
  ['grants_held', (f) => f.grantsHeld],
  ['grants_ended', (f) => f.grantsEnded],
  ['grant_length_median_days', (f) => f.grantLengthDays.median],
  ['grant_length_p90_days', (f) => f.grantLengthDays.p90],
  ['released_early_share', (f) => f.releasedEarly],
  ['ended_by_expiry_share', (f) => f.endedByExpiry],
  ['ended_by_revoke_share', (f) => f.endedByRevoke],
  ['extensions_per_grant', (f) => f.extensionsPerGrant],
  ['decisions', (f) => f.decisions],
  ['decision_median_hours', (f) => f.decisionHours.median],
  ['decision_p90_hours', (f) => f.decisionHours.p90],
  ['review_items', (f) => f.reviewItems],
  ['review_on_time_share', (f) => f.reviewOnTime],
];

/** One row per scope (total, each tier, each dataset); the organisation-wide figures only on the total row. */
export function hygieneCsv(h: HygieneFigures): string {
  const header = ['since', 'until', 'scope', 'id', 'tier', ...FIGURE_COLUMNS.map(([c]) => c), 'sensitive_people_on_average_day', 'coachings_sent', 'coachings_fixed'];
  const row = (scope: string, id: string, tier: string, f: Figures, extra: string[] = ['', '', '']) =>
    [h.since.toISOString(), h.until.toISOString(), scope, id, tier, ...FIGURE_COLUMNS.map(([, get]) => n(get(f))), ...extra].map(csvField).join(',');
  return (
    [
      header.join(','),
      row('total', '', '', h.total, [n(h.sensitivePeopleOnAverageDay), String(h.coachings.sent), String(h.coachings.fixed)]),
      ...SENSITIVITIES.map((tier) => row('tier', tier, tier, h.byTier[tier])),
      ...h.byDataset.map((d) => row('dataset', d.datasetId, d.tier ?? '', d.figures)),
    ].join('\n') + '\n'
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const num = (v: number | null) => (v === null ? '—' : String(Math.round(v * 10) / 10));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function tableRow(name: string, f: Figures): string {
  return `| ${[
    name,
    num(f.grantDays),
    num(f.peopleOnAverageDay),
    `${num(f.grantLengthDays.median)} / ${num(f.grantLengthDays.p90)}`,
    pct(f.releasedEarly),
    `${pct(f.endedByExpiry)} / ${pct(f.endedByRevoke)}`,
    num(f.extensionsPerGrant),
    `${num(f.decisionHours.median)} / ${num(f.decisionHours.p90)}`,
    f.reviewItems ? pct(f.reviewOnTime) : '—',
  ]
    .map(cell)
    .join(' | ')} |`;
}

const TABLE_HEAD = [
  '| scope | grant-days | people on an average day | grant length, days (median / p90) | released early | ended by expiry / revoked | extensions per grant | time to decision, h (median / p90) | review answers on time |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

export function hygieneMarkdown(h: HygieneFigures): string {
  const t = h.total;
  return [
    `# Access hygiene ${h.since.toISOString()} – ${h.until.toISOString()}`,
    '',
    `- Period: ${num(h.days)} days`,
    `- Standing access: ${num(t.grantDays)} grant-days; ${num(t.peopleOnAverageDay)} people holding data on an average day, ${num(h.sensitivePeopleOnAverageDay)} of them restricted or confidential data`,
    `- Grants: ${t.grantsHeld} held, ${t.grantsEnded} ended (released early ${pct(t.releasedEarly)}, expired ${pct(t.endedByExpiry)}, revoked ${pct(t.endedByRevoke)}; ${num(t.extensionsPerGrant)} extensions per grant)`,
    `- Decisions: ${t.decisions}, median ${num(t.decisionHours.median)} h, 90th percentile ${num(t.decisionHours.p90)} h`,
    `- Access reviews: ${t.reviewItems} items due, ${pct(t.reviewOnTime)} answered on time`,
    `- Sensitive-data coachings: ${h.coachings.sent} sent, ${h.coachings.fixed} fixed`,
    '',
    '## By sensitivity tier',
    '',
    ...TABLE_HEAD,
    tableRow('all', t),
    ...SENSITIVITIES.map((tier) => tableRow(tier, h.byTier[tier])),
    '',
    '## By dataset',
    '',
    ...TABLE_HEAD,
    ...h.byDataset.map((d) => tableRow(`${d.datasetId}${d.tier ? ` (${d.tier})` : ' (not in the catalog)'}`, d.figures)),
    '',
  ].join('\n');
}
