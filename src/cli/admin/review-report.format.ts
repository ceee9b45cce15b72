import type { ReviewOutcome, ReviewReport } from '../../modules/reviews/report.usecases.js';
import { csvField } from './audit-export.format.js';

const OUTCOME_TEXT: Record<ReviewOutcome, string> = {
  kept_by_reviewer: 'kept by reviewer',
  revoked_by_reviewer: 'revoked by reviewer',
  kept_at_deadline: 'kept at the deadline (policy)',
  revoked_at_deadline: 'revoked at the deadline (policy)',
  open: 'open',
  undecided: 'never decided',
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');

export function reviewReportCsv(r: ReviewReport): string {
  const header = ['campaign_id', 'item_id', 'grant_id', 'dataset', 'person', 'decision', 'decided_by', 'decided_at', 'outcome', 'deadline', 'grant_status', 'grant_ended_at'];
  const rows = r.items.map((i) =>
    [r.campaign.id, i.itemId, i.grantId, i.datasetId, i.userId, i.decision ?? '', i.decidedBy ?? '', iso(i.decidedAt), i.outcome, iso(r.campaign.deadline), i.grantStatus, iso(i.grantEndedAt)]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

/** Markdown table cells: no pipes or line breaks from data. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

export function reviewReportMarkdown(r: ReviewReport): string {
  const c = r.campaign;
  const n = r.counts;
  const lines = [
    `# Access review ${c.id}`,
    '',
    `- Started: ${iso(c.startedAt)} by ${c.startedBy}`,
    `- Deadline: ${iso(c.deadline)}`,
    `- Status: ${c.status}${c.closedAt ? ` (closed ${iso(c.closedAt)})` : ''}`,
    `- Grants under review: ${r.items.length}`,
    `- Kept by reviewers: ${n.kept_by_reviewer}; revoked by reviewers: ${n.revoked_by_reviewer}`,
    `- At the deadline, by policy: kept ${n.kept_at_deadline}, revoked ${n.revoked_at_deadline}`,
    ...(n.open ? [`- Still open: ${n.open}`] : []),
    ...(n.undecided ? [`- Never decided: ${n.undecided}`] : []),
    '',
    '| dataset | person | decision | decided by | decided at | outcome | grant now |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.items.map((i) =>
      `| ${[i.datasetId, i.userId, i.decision ?? '—', i.decidedBy ?? '—', iso(i.decidedAt) || '—', OUTCOME_TEXT[i.outcome], i.grantStatus + (i.grantEndedAt ? ` (ended ${iso(i.grantEndedAt)})` : '')].map(cell).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
