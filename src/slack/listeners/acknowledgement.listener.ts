import type { App } from '@slack/bolt';
import type { Dataset } from '../../catalog/catalog.js';
import { acknowledgePolicy, needsAcknowledgement } from '../../modules/acknowledgements/acknowledgements.usecases.js';
import type { Deps } from '../../modules/deps.js';
import { createRequest } from '../../modules/requests/requests.usecases.js';
import { buildAcknowledgementView, parseHeldRequest, type HeldRequest } from '../blocks/acknowledgement.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { sendDm } from './replies.js';
import { answerViewWithin, errorReply, lateAnswerText, type ViewAnswer } from './respond.js';

/** The acknowledgement modal for this request, when the person must accept the policy first. */
export async function acknowledgementGate(deps: Deps, userId: string, dataset: Dataset | undefined, held: Omit<HeldRequest, 'version'>) {
  const policy = deps.catalog.handlingPolicy;
  if (!policy || !dataset || !(await needsAcknowledgement(deps, userId, dataset))) return undefined;
  return buildAcknowledgementView(policy, { ...held, version: policy.version });
}

/**
 * Submitting the acknowledgement records it (with the policy's version) and then sends the
 * request that was waiting behind it; the form closes only when both worked.
 */
export function registerAcknowledgementListener(app: App, deps: Deps): void {
  const log = deps.logger.child({ listener: 'acknowledgement' });
  app.view(CALLBACK_IDS.ackForm, async ({ ack, view, body, client }) => {
    const held = parseHeldRequest(view.private_metadata);
    const checked = view.state.values[BLOCK_IDS.ackCheckbox]?.[ACTION_IDS.ackCheckbox]?.selected_options?.some((o) => o.value === 'yes');
    const fail = (text: string) => ({ response_action: 'errors' as const, errors: { [BLOCK_IDS.ackCheckbox]: text.slice(0, 300) } });
    await answerViewWithin(
      ack as (answer?: ViewAnswer) => Promise<void>,
      async () => {
        if (!held) return fail('This form is not valid any more. Please start your request again.');
        if (!checked) return fail('Please tick the box to confirm you have read the policy.');
        try {
          await acknowledgePolicy(deps, body.user.id, held.version);
          await createRequest(deps, { requesterId: body.user.id, datasetId: held.datasetId, duration: held.duration, reason: held.reason, via: 'form' });
          return { response_action: 'clear' };
        } catch (err) {
          return fail(errorReply(err, log).text);
        }
      },
      async (answer) => {
        const text = lateAnswerText(answer);
        if (text) await sendDm(client, body.user.id, text, log);
      },
    );
  });
}
