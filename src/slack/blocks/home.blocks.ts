import type { HomeView, KnownBlock } from '@slack/types';
import type { DigestView, RequestView } from '../../modules/notifications/notifications.ports.js';
import type { MyAccess } from '../../modules/requests/requests.usecases.js';
import { formatDuration } from '../../shared/duration.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS, COMMAND } from '../ids.js';
import { context, escapeMrkdwn, formatWhen, mention, plain, section, SLACK_LIMITS, userText } from './format.js';
import { grantState } from './command.blocks.js';
import { grantButtons } from './grant.blocks.js';
import { approvalProgress } from './request.blocks.js';

export interface HomeContent {
  access: MyAccess;
  awaitingMe: RequestView[];
  /** Undecided items of the open access review on the person's datasets. */
  review?: DigestView;
  timeZone?: string;
}

/**
 * The Home tab: my access (Extend, Release), my pending requests (Cancel), and for owners the
 * requests waiting for their decision (Approve, Deny). Kept within Slack's 100 blocks: each
 * list shows what fits and says how many more there are.
 */
export function buildHomeView(c: HomeContent): HomeView {
  const blocks: KnownBlock[] = [
    section('*Data access*: ask for data when you need it, for as long as you need it, and let it go when you are done.'),
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION_IDS.openRequestForm, style: 'primary', value: 'open', text: plain('Request access', SLACK_LIMITS.buttonText) },
      ],
    },
  ];
  // each list has a divider, a title and maybe a "more" note; what is left is shared between the lists
  const reviewItems = (c.review?.datasets ?? []).flatMap((d) => d.items.map((item) => ({ item, dataset: d.name })));
  const lists = 2 + (c.awaitingMe.length ? 1 : 0) + (reviewItems.length ? 1 : 0);
  const share = Math.floor((SLACK_LIMITS.modalBlocks - blocks.length - 3 * lists) / lists);
  const budget = { left: share * lists };
  const take = <T>(items: T[], perItem: number, render: (item: T) => KnownBlock[], title: string, empty: string, more: string) => {
    blocks.push({ type: 'divider' }, section(`*${title}*`));
    if (items.length === 0) {
      blocks.push(context(empty));
      return;
    }
    const fits = Math.max(0, Math.min(items.length, Math.floor(Math.min(budget.left, share) / perItem)));
    for (const item of items.slice(0, fits)) blocks.push(...render(item));
    budget.left -= fits * perItem;
    if (fits < items.length) blocks.push(context(`…and ${items.length - fits} more. ${more}`));
  };

  take(
    c.access.active,
    2,
    (g) =>
      !g.status || g.status === 'active'
        ? [section(`*${escapeMrkdwn(g.datasetName)}* (\`${g.datasetId}\`) until ${formatWhen(g.endsAt, c.timeZone)}`), grantButtons(g.grantId)]
        : [section(`*${escapeMrkdwn(g.datasetName)}* (\`${g.datasetId}\`) ${grantState(g, c.timeZone)}`), { type: 'divider' }],
    'Your access',
    `None right now. Use *Request access* or \`${COMMAND} request &lt;dataset&gt;\`.`,
    `\`${COMMAND} list\` shows them all.`,
  );
  take(
    c.access.pending,
    2,
    (r) => [
      section(
        `*${escapeMrkdwn(r.dataset.name)}* ${r.kind === 'extension' ? 'extension by' : 'for'} ${formatDuration(r.durationMinutes)}, asked ${formatWhen(r.createdAt, c.timeZone)}\nWaiting for ${r.approverIds.map(mention).join(', ')}`,
      ),
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ACTION_IDS.cancelRequest, value: r.id, text: plain('Cancel request', SLACK_LIMITS.buttonText) }],
      },
    ],
    'Your pending requests',
    'None.',
    `\`${COMMAND} list\` shows them all.`,
  );
  if (c.awaitingMe.length) {
    take(
      c.awaitingMe,
      2,
      (r) => {
        const why = r.reason ? ` · “${userText(r.reason, 200)}”` : '';
        const progress = approvalProgress(r);
        return [
          section(
            `${mention(r.requesterId)} · *${escapeMrkdwn(r.dataset.name)}* ${r.kind === 'extension' ? 'extension by' : 'for'} ${formatDuration(r.durationMinutes)}${why}${progress ? `\n${progress}` : ''}`,
          ),
          {
            type: 'actions',
            elements: [
              { type: 'button', action_id: ACTION_IDS.approve, style: 'primary', value: r.id, text: plain('Approve', SLACK_LIMITS.buttonText) },
              { type: 'button', action_id: ACTION_IDS.deny, style: 'danger', value: r.id, text: plain('Deny', SLACK_LIMITS.buttonText) },
            ],
          },
        ];
      },
      'Waiting for your decision',
      'Nothing.',
      'The rest are in your direct messages.',
    );
  }
  if (reviewItems.length) {
    take(
      reviewItems,
      2,
      ({ item, dataset }) => [
        section(`*${escapeMrkdwn(dataset)}*: ${mention(item.userId)} until ${formatWhen(item.until, c.timeZone)}`),
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: ACTION_IDS.reviewKeep, value: item.id, text: plain('Keep', SLACK_LIMITS.buttonText) },
            { type: 'button', action_id: ACTION_IDS.reviewRevoke, value: item.id, style: 'danger', text: plain('Revoke', SLACK_LIMITS.buttonText) },
          ],
        },
      ],
      `Access review: ${reviewItems.length} to review by ${c.review ? formatWhen(c.review.deadline, c.timeZone) : 'the deadline'}`,
      'Nothing.',
      `\`${COMMAND} review\` and your digest have the rest.`,
    );
  }
  return { type: 'home', blocks };
}

/** Asks how much longer, and why, for an extension. */
export function buildExtendFormView(grant: { id: string; datasetName: string }) {
  return {
    type: 'modal' as const,
    callback_id: CALLBACK_IDS.extendForm,
    private_metadata: grant.id,
    title: plain('Extend access', SLACK_LIMITS.modalTitle),
    submit: plain('Ask', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(`Extend your access to *${escapeMrkdwn(grant.datasetName)}* by:`),
      {
        type: 'input' as const,
        block_id: BLOCK_IDS.extendDuration,
        label: plain('How much longer?', 2000),
        hint: plain('Like 4h, 1d or 1w. Ask for no longer than you need.', 2000),
        element: { type: 'plain_text_input' as const, action_id: ACTION_IDS.extendDuration, max_length: 20, placeholder: plain('1d', 150) },
      },
      {
        type: 'input' as const,
        block_id: BLOCK_IDS.extendReason,
        optional: true,
        label: plain('Why?', 2000),
        element: { type: 'plain_text_input' as const, action_id: ACTION_IDS.extendReason, multiline: true, max_length: 1000 },
      },
    ],
  };
}
