import type { KnownBlock, ModalView } from '@slack/types';
import { findDataset, type Catalog } from '../../catalog/catalog.js';
import type { RequestView } from '../../modules/notifications/notifications.ports.js';
import { formatDuration, parseDuration } from '../../shared/duration.js';
import { REASON_MAX_LENGTH } from '../../modules/requests/requests.rules.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { context, escapeMrkdwn, mention, plain, section, SLACK_LIMITS, truncate } from './format.js';

export interface RequestFormPrefill {
  datasetId?: string;
  duration?: string;
  reason?: string;
}

const DURATION_PRESETS = ['1h', '4h', '1d', '3d', '7d', '14d', '30d', '90d'];

/** Duration choices up to a maximum, always including the default and the maximum itself. */
export function durationOptions(maxMinutes: number, ...also: Array<number | undefined>) {
  const minutes = new Set(DURATION_PRESETS.map((p) => parseDuration(p)!).filter((m) => m <= maxMinutes));
  minutes.add(maxMinutes);
  for (const m of also) if (m && m <= maxMinutes) minutes.add(m);
  return [...minutes]
    .sort((a, b) => a - b)
    .map((m) => ({ text: plain(formatDuration(m), SLACK_LIMITS.optionText), value: compactDuration(m) }));
}

/** 10080 → "1w", 2880 → "2d", 240 → "4h", 90 → "90m": what parseDuration reads back. */
export function compactDuration(minutes: number): string {
  if (minutes % 10080 === 0) return `${minutes / 10080}w`;
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** Catalog datasets matching what was typed in the picker, at most 100 (Slack's limit). */
export function datasetOptions(catalog: Catalog, query: string) {
  const q = query.trim().toLowerCase();
  return catalog.datasets
    .filter((d) => !q || d.id.includes(q) || d.name.toLowerCase().includes(q) || d.description.toLowerCase().includes(q))
    .slice(0, SLACK_LIMITS.staticSelectOptions)
    .map((d) => ({ text: plain(`${d.name} (${d.id})`, SLACK_LIMITS.optionText), value: d.id }));
}

/**
 * The request form. The dataset picker searches the catalog as you type (an external select, so
 * large catalogs work); choosing a dataset redraws the form with durations up to its maximum and
 * says whether a reason is needed.
 */
export function buildRequestFormView(catalog: Catalog, prefill: RequestFormPrefill = {}): ModalView {
  const dataset = prefill.datasetId ? findDataset(catalog, prefill.datasetId) : undefined;
  const maxMinutes = dataset?.maxDurationMinutes ?? Math.max(...catalog.datasets.map((d) => d.maxDurationMinutes));
  const wanted = prefill.duration ? parseDuration(prefill.duration) : dataset?.defaultDurationMinutes;
  const durations = durationOptions(maxMinutes, dataset?.defaultDurationMinutes, wanted);
  const initialDuration = wanted ? durations.find((o) => o.value === compactDuration(wanted)) : undefined;
  const reasonHint = dataset
    ? dataset.policy.reasonRequired
      ? `Required for ${dataset.sensitivity} data${dataset.policy.reasonMinLength ? ` (at least ${dataset.policy.reasonMinLength} characters)` : ''}. Your approvers will read this.`
      : 'Optional, but it helps your approvers decide.'
    : 'Required for confidential and restricted data. Your approvers will read this.';
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: BLOCK_IDS.formDataset,
      dispatch_action: true,
      label: plain('Dataset', 2000),
      element: {
        type: 'external_select',
        action_id: ACTION_IDS.formDataset,
        placeholder: plain('Search datasets', 150),
        min_query_length: 0,
        ...(dataset ? { initial_option: { text: plain(`${dataset.name} (${dataset.id})`, SLACK_LIMITS.optionText), value: dataset.id } } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK_IDS.formDuration,
      optional: true,
      label: plain('For how long?', 2000),
      hint: plain(
        dataset
          ? `Up to ${formatDuration(dataset.maxDurationMinutes)} for this dataset. Ask for no longer than you need.`
          : 'Leave empty for the dataset’s default. Ask for no longer than you need.',
        2000,
      ),
      element: {
        type: 'static_select',
        action_id: ACTION_IDS.formDuration,
        placeholder: plain('Choose a duration', 150),
        options: durations,
        ...(initialDuration ? { initial_option: initialDuration } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK_IDS.formReason,
      optional: true,
      label: plain('Why do you need it?', 2000),
      hint: plain(reasonHint, 2000),
      element: {
        type: 'plain_text_input',
        action_id: ACTION_IDS.formReason,
        multiline: true,
        max_length: REASON_MAX_LENGTH,
        ...(prefill.reason ? { initial_value: truncate(prefill.reason, REASON_MAX_LENGTH) } : {}),
      },
    },
  ];
  if (dataset?.description) blocks.splice(1, 0, context(escapeMrkdwn(dataset.description)));
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
