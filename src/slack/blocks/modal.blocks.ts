import type { KnownBlock, ModalView } from '@slack/types';
import type { Catalog } from '../../catalog/catalog.js';
import type { RequestView } from '../../modules/notifications/notifications.ports.js';
import { formatDuration } from '../../shared/duration.js';
import { REASON_MAX_LENGTH } from '../../modules/requests/requests.rules.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { context, escapeMrkdwn, mention, plain, section, SLACK_LIMITS, truncate } from './format.js';

export interface RequestFormPrefill {
  datasetId?: string;
  duration?: string;
  reason?: string;
}

/** The request form. Datasets come from the catalog (Slack allows 100 options in a static select). */
export function buildRequestFormView(catalog: Catalog, prefill: RequestFormPrefill = {}): ModalView {
  const options = catalog.datasets.slice(0, SLACK_LIMITS.staticSelectOptions).map((d) => ({
    text: plain(`${d.name} (${d.id})`, SLACK_LIMITS.optionText),
    value: d.id,
  }));
  const initial = options.find((o) => o.value === prefill.datasetId);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: BLOCK_IDS.formDataset,
      label: plain('Dataset', 2000),
      element: {
        type: 'static_select',
        action_id: ACTION_IDS.formDataset,
        placeholder: plain('Choose a dataset', 150),
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK_IDS.formDuration,
      optional: true,
      label: plain('For how long?', 2000),
      hint: plain('Like 4h, 7d or 2w. Leave empty for the dataset’s default. Ask for no longer than you need.', 2000),
      element: {
        type: 'plain_text_input',
        action_id: ACTION_IDS.formDuration,
        placeholder: plain('7d', 150),
        max_length: 20,
        ...(prefill.duration ? { initial_value: prefill.duration } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK_IDS.formReason,
      optional: true,
      label: plain('Why do you need it?', 2000),
      hint: plain('Required for confidential and restricted data. Your approvers will read this.', 2000),
      element: {
        type: 'plain_text_input',
        action_id: ACTION_IDS.formReason,
        multiline: true,
        max_length: REASON_MAX_LENGTH,
        ...(prefill.reason ? { initial_value: truncate(prefill.reason, REASON_MAX_LENGTH) } : {}),
      },
    },
  ];
  if (catalog.datasets.length > SLACK_LIMITS.staticSelectOptions) {
    blocks.push(context('Not every dataset fits in this list; use `/access request <id>` for the others.'));
  }
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.requestForm,
    title: plain('Request data access', SLACK_LIMITS.modalTitle),
    submit: plain('Send request', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

/** Asks the approver for an optional reason before denying. */
export function buildDenyFormView(r: RequestView): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.denyForm,
    private_metadata: r.id,
    title: plain('Deny request', SLACK_LIMITS.modalTitle),
    submit: plain('Deny', 24),
    close: plain('Back', 24),
    blocks: [
      section(
        `Deny ${mention(r.requesterId)}’s request for *${escapeMrkdwn(r.dataset.name)}* (${formatDuration(r.durationMinutes)})?`,
      ),
      {
        type: 'input',
        block_id: BLOCK_IDS.denyReason,
        optional: true,
        label: plain('Reason (sent to the requester)', 2000),
        element: { type: 'plain_text_input', action_id: ACTION_IDS.denyReason, multiline: true, max_length: REASON_MAX_LENGTH },
      },
    ],
  };
}
