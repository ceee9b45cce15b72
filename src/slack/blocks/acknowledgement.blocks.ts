import type { ModalView } from '@slack/types';
import type { HandlingPolicy } from '../../catalog/catalog.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { context, escapeMrkdwn, plain, section, SLACK_LIMITS } from './format.js';

/** The request waiting behind the acknowledgement, carried in the modal's private_metadata. */
export interface HeldRequest {
  datasetId: string;
  duration?: string;
  reason?: string;
  version: string;
}

export const ACK_LABEL = 'I have read and will follow this';

export function buildAcknowledgementView(policy: HandlingPolicy, held: HeldRequest): ModalView {
  const link = policy.link ? `\n<${policy.link}|Read the full policy>` : '';
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.ackForm,
    private_metadata: JSON.stringify(held),
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

export function parseHeldRequest(metadata: string): HeldRequest | undefined {
  try {
    const v = JSON.parse(metadata) as Partial<HeldRequest>;
    if (typeof v.datasetId !== 'string' || typeof v.version !== 'string') return undefined;
    return {
      datasetId: v.datasetId,
      version: v.version,
      duration: typeof v.duration === 'string' ? v.duration : undefined,
      reason: typeof v.reason === 'string' ? v.reason : undefined,
    };
  } catch {
    return undefined;
  }
}
