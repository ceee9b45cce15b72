import type { Deps } from '../../../modules/deps.js';
import { submitRequest } from '../../../modules/requests/submissions.usecases.js';
import { buildAcknowledgementView } from '../../blocks/acknowledgement.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../ids.js';
import { checkedView } from '../../views.js';
import { sendDm } from '../replies.js';
import { answerViewWithin, formErrors, lateAnswerText, type ViewAnswer } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/** Where the request form shows each field's mistakes. */
const REQUEST_FORM_BLOCKS = { dataset: BLOCK_IDS.formDataset, duration: BLOCK_IDS.formDuration, reason: BLOCK_IDS.formReason };

/** The request form: errors are shown on the form next to their field; the policy is pushed on top when it must be read first; success closes it. */
export function registerRequestFormView(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'form' });
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
          const result = await submitRequest(deps, input);
          if (result.kind === 'needs_acknowledgement') return { response_action: 'push', view: checkedView(buildAcknowledgementView(result.policy, result.draftId), log) };
          return undefined;
        } catch (err) {
          return formErrors(err, log, REQUEST_FORM_BLOCKS, BLOCK_IDS.formDataset);
        }
      },
      async (answer) => {
        const text = lateAnswerText(answer);
        if (text) await sendDm(client, body.user.id, text, log);
      },
    );
  });
}
