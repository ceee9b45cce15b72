import type { Deps } from '../../../modules/deps.js';
import { submitHeldRequest } from '../../../modules/requests/submissions.usecases.js';
import { ackErrors } from '../../../modules/acknowledgements/acknowledgements.usecases.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../ids.js';
import { sendDm } from '../replies.js';
import { answerViewWithin, formErrors, lateAnswerText, type ViewAnswer } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/**
 * Submitting the acknowledgement records it (with the policy's version) and then sends the
 * request that was waiting behind it; the form closes only when both worked.
 */
export function registerAcknowledgementView(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'acknowledgement' });
  app.view(CALLBACK_IDS.ackForm, async ({ ack, view, body, client }) => {
    const checked = view.state.values[BLOCK_IDS.ackCheckbox]?.[ACTION_IDS.ackCheckbox]?.selected_options?.some((o) => o.value === 'yes');
    const fail = (err: unknown) => formErrors(err, log, {}, BLOCK_IDS.ackCheckbox);
    await answerViewWithin(
      ack as (answer?: ViewAnswer) => Promise<void>,
      async () => {
        if (!checked) return fail(ackErrors.notChecked());
        try {
          await submitHeldRequest(deps, body.user.id, view.private_metadata);
          return { response_action: 'clear' };
        } catch (err) {
          return fail(err);
        }
      },
      async (answer) => {
        const text = lateAnswerText(answer);
        if (text) await sendDm(client, body.user.id, text, log);
      },
    );
  });
}
