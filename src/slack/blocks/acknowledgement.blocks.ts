import type { ModalView } from '@slack/types';
import type { HandlingPolicy } from '../../catalog/catalog.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { context, escapeMrkdwn, plain, section, SLACK_LIMITS } from './format.js';

export const ACK_LABEL = 'I have read and will follow this';

/**
 * The policy, with the request waiting behind it. `draftId` names that request, held on the server
 * (a reason can be longer than Slack's 3,000 characters of private_metadata once encoded).
 */
export function buildAcknowledgementView(policy: HandlingPolicy, draftId: string): ModalView {
  const link = policy.link ? `\n<${policy.link}|Read the full policy>` : '';
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.ackForm,
    private_metadata: draftId,
    title: plain('Handling this data', SLACK_LIMITS.modalTitle),
    submit: plain('Continue', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(`*Before you get confidential or restricted data*, please read how we handle it:\n\n${escapeMrkdwn(policy.text)}${link}`),
      {
        type: 'input',
        block_id: BLOCK_IDS.ackCheckbox,
        label: plain('Your agreement', 2000),
        element: {
          type: 'checkboxes',
          action_id: ACTION_IDS.ackCheckbox,
          options: [{ text: plain(ACK_LABEL, SLACK_LIMITS.optionText), value: 'yes' }],
        },
      },
      context(`Policy version ${escapeMrkdwn(policy.version)}. Your request is sent when you continue.`),
    ],
  };
}
