import type { ContentData } from '../../modules/notifications/notifications.ports.js';
import { context, escapeMrkdwn, section } from './format.js';
import type { OutgoingMessage } from './request.blocks.js';

const WHAT_IT_DOES: Record<string, string> = {
  reconcile: 'ends overdue grants, resumes stuck grants and revokes, and re-sends undelivered messages',
  'start-review': 'starts the weekly access review',
  'hygiene-tips': 'sends the data-handling tips',
};

/** To an admin or the security channel: a scheduled job failed. The job and a code, never data. */
export function buildScheduledJobFailedBlocks(f: ContentData['scheduled_job_failed']): OutgoingMessage {
  const what = WHAT_IT_DOES[f.job];
  return {
    text: `A scheduled job failed: ${f.job}`,
    blocks: [
      section(
        `:rotating_light: *A scheduled job failed:* \`${escapeMrkdwn(f.job)}\`${what ? ` (it ${what})` : ''}, error \`${escapeMrkdwn(f.code)}\`. ` +
          'It runs again on its schedule; until it succeeds, what it does is not done. The bot’s log has the details.',
      ),
      context(`First failure on ${f.day} (UTC). Further failures of this job that day are counted but not announced again.`),
    ],
  };
}
