import type { App } from '@slack/bolt';
import type { Dataset } from '../../catalog/catalog.js';
import { acknowledgePolicy, needsAcknowledgement } from '../../modules/acknowledgements/acknowledgements.usecases.js';
import type { Deps } from '../../modules/deps.js';
import { dropRequestDraft, findRequestDraft, holdRequestDraft } from '../../modules/requests/drafts.usecases.js';
import { createRequest } from '../../modules/requests/requests.usecases.js';
import { buildAcknowledgementView } from '../blocks/acknowledgement.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { sendDm } from './replies.js';
import { answerViewWithin, errorReply, lateAnswerText, type ViewAnswer } from './respond.js';

/**
 * The acknowledgement modal for this request, when the person must accept the policy first. The
 * request is held on the server and the modal carries only its id.
 */
export async function acknowledgementGate(deps: Deps, userId: string, dataset: Dataset | undefined, held: { datasetId: string; duration?: string; reason?: string }) {
  const policy = deps.catalog.handlingPolicy;
  if (!policy || !dataset || !(await needsAcknowledgement(deps, userId, dataset))) return undefined;
  const draftId = await holdRequestDraft(deps, userId, { ...held, policyVersion: policy.version });
  return buildAcknowledgementView(policy, draftId);
}

/**
 * Submitting the acknowledgement records it (with the policy's version) and then sends the
 * request that was waiting behind it; the form closes only when both worked.
 */
export function registerAcknowledgementListener(app: App, deps: Deps): void {
  const log = deps.logger.child({ listener: 'acknowledgement' });
  app.view(CALLBACK_IDS.ackForm, async ({ ack, view, body, client }) => {
    const checked = view.state.values[BLOCK_IDS.ackCheckbox]?.[ACTION_IDS.ackCheckbox]?.selected_options?.some((o) => o.value === 'yes');
    const fail = (text: string) => ({ response_action: 'errors' as const, errors: { [BLOCK_IDS.ackCheckbox]: text.slice(0, 300) } });
    await answerViewWithin(
      ack as (answer?: ViewAnswer) => Promise<void>,
      async () => {
        if (!checked) return fail('Please tick the box to confirm you have read the policy.');
        try {
          const held = await findRequestDraft(deps, body.user.id, view.private_metadata);
          if (!held) return fail('This form is not valid any more. Please start your request again.');
          await acknowledgePolicy(deps, body.user.id, held.policyVersion);
          await createRequest(deps, { requesterId: body.user.id, datasetId: held.datasetId, duration: held.duration ?? undefined, reason: held.reason ?? undefined, via: 'form' });
          await dropRequestDraft(deps, held.id);
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
