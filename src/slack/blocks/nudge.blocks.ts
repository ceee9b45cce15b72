import type { NudgeView } from '../../modules/notifications/notifications.ports.js';
import { ACTION_IDS } from '../ids.js';
import { context, mention, plain, section, SLACK_LIMITS } from './format.js';
import type { OutgoingMessage } from './request.blocks.js';

const WHAT: Record<string, string> = {
  payment_card: 'what looks like a payment card number',
  us_ssn: 'what looks like a US social security number',
  iban: 'what looks like a bank account number (IBAN)',
  bulk_emails: 'a list of email addresses',
  bulk_phones: 'a list of phone numbers',
  customer_export_file: 'a file that looks like a customer export',
};

function describe(detectors: string[]): string {
  const parts = detectors.map((d) => WHAT[d] ?? 'personal data');
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** A Slack link to a message, from its channel and timestamp. */
export function messageLink(channelId: string, ts: string): string {
  return `https://slack.com/archives/${channelId}/p${ts.replace('.', '')}`;
}

/** The private coaching message: what was seen, why it matters, what to do. Never repeats the data. */
export function buildCoachingBlocks(n: NudgeView): OutgoingMessage {
  return {
    text: 'A quick note about the message you just posted',
    blocks: [
      section(
        `:wave: Hi ${mention(n.userId)}, your <${messageLink(n.channelId, n.messageTs)}|message> seems to contain ${describe(n.detectors)}.\n` +
          'Data like this in a channel can be read, searched and forwarded by everyone in it, long after the work is done.',
      ),
      section(
        '*What to do:* delete the message, or edit out the data. If a colleague needs it, share it through the approved place ' +
          '(ask for access with `/access request &lt;dataset&gt;`) rather than in chat.',
      ),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: ACTION_IDS.nudgeFixed, value: String(n.id), style: 'primary', text: plain("I've fixed it", SLACK_LIMITS.buttonText) },
        ],
      },
      context('Only you can see this. Nothing from your message was stored.'),
    ],
  };
}

export function buildSecurityAlertBlocks(n: NudgeView): OutgoingMessage {
  return {
    text: 'Sensitive data may have been posted',
    blocks: [
      section(
        `:shield: ${mention(n.userId)} posted ${describe(n.detectors)} in <#${n.channelId}>: <${messageLink(n.channelId, n.messageTs)}|view message>. ` +
          `They were ${n.nudged ? 'coached privately' : 'already coached recently, so not messaged again'}.`,
      ),
    ],
  };
}
