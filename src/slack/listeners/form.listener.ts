import type { App, BlockAction, ExternalSelectAction } from '@slack/bolt';
import { buildRequestFormView, datasetOptions } from '../blocks/modal.blocks.js';
import type { Deps } from '../../modules/deps.js';
import { createRequest, validateRequest } from '../../modules/requests/requests.usecases.js';
import { isAppError } from '../../shared/errors.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { checkedView, updateView } from '../views.js';
import { acknowledgementGate } from './acknowledgement.listener.js';
import { sendDm } from './replies.js';
import { answerViewWithin, errorReply, lateAnswerText, type ViewAnswer } from './respond.js';

// Which form field each validation error belongs to, so Slack shows it next to that field.
const FIELD_FOR_ERROR: Record<string, string> = {
  'requests.dataset_not_found': BLOCK_IDS.formDataset,
  'requests.already_pending': BLOCK_IDS.formDataset,
  'requests.already_active': BLOCK_IDS.formDataset,
  'requests.no_approvers': BLOCK_IDS.formDataset,
  'requests.not_enough_approvers': BLOCK_IDS.formDataset,
  'requests.bad_duration': BLOCK_IDS.formDuration,
  'requests.duration_too_long': BLOCK_IDS.formDuration,
  'requests.reason_required': BLOCK_IDS.formReason,
  'requests.reason_too_long': BLOCK_IDS.formReason,
  'requests.reason_too_short': BLOCK_IDS.formReason,
};

// Free-text refusals (input.control_characters, input.too_long) name the field they concern.
const FIELD_FOR_INPUT: Record<string, string> = { datasetId: BLOCK_IDS.formDataset, duration: BLOCK_IDS.formDuration, reason: BLOCK_IDS.formReason };

function fieldFor(err: unknown): string | undefined {
  if (!isAppError(err)) return undefined;
  if (err.code.startsWith('input.')) return FIELD_FOR_INPUT[String(err.details.field)];
  return FIELD_FOR_ERROR[err.code];
}

/** The request form: errors are shown on the form (response_action: errors); success closes it. */
export function registerFormListener(app: App, deps: Deps): void {
  const log = deps.logger.child({ listener: 'form' });

  // the dataset picker searches the catalog as the person types
  app.options(ACTION_IDS.formDataset, async ({ options, ack }) => {
    await ack({ options: datasetOptions(deps.catalog, options.value ?? '') });
  });

  // choosing a dataset redraws the form: durations up to its maximum, whether a reason is needed
  app.action<BlockAction<ExternalSelectAction>>(ACTION_IDS.formDataset, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view || !action.selected_option) return;
    const reason = view.state?.values?.[BLOCK_IDS.formReason]?.[ACTION_IDS.formReason]?.value ?? undefined;
    await updateView(client, { view_id: view.id, hash: view.hash }, buildRequestFormView(deps.catalog, { datasetId: action.selected_option.value, reason }), log)
      .catch((err) => log.warn({ err }, 'could not redraw the request form'));
  });

  app.view(CALLBACK_IDS.requestForm, async ({ ack, view, body, client }) => {
    const values = view.state.values;
    const input = {
      requesterId: body.user.id,
      datasetId: values[BLOCK_IDS.formDataset]?.[ACTION_IDS.formDataset]?.selected_option?.value ?? '',
      duration: values[BLOCK_IDS.formDuration]?.[ACTION_IDS.formDuration]?.selected_option?.value ?? undefined,
      reason: values[BLOCK_IDS.formReason]?.[ACTION_IDS.formReason]?.value ?? undefined,
      via: 'form' as const,
    };
    await answerViewWithin(
      ack as (answer?: ViewAnswer) => Promise<void>,
      async () => {
        try {
          const { dataset } = validateRequest(deps, input);
          const gate = await acknowledgementGate(deps, input.requesterId, dataset, { datasetId: dataset.id, duration: input.duration, reason: input.reason });
          if (gate) return { response_action: 'push', view: checkedView(gate, log) };
          await createRequest(deps, input);
          return undefined;
        } catch (err) {
          const field = fieldFor(err);
          return { response_action: 'errors', errors: { [field ?? BLOCK_IDS.formDataset]: errorReply(err, log).text.slice(0, 300) } };
        }
      },
      async (answer) => {
        const text = lateAnswerText(answer);
        if (text) await sendDm(client, body.user.id, text, log);
      },
    );
  });
}
