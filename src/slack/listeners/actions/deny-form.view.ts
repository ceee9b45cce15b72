import type { Deps } from '../../../modules/deps.js';
import { decideRequest } from '../../../modules/requests/decisions.usecases.js';
import { textErrors, textProblem } from '../../../shared/text.js';
import { slackErrorText } from '../../errors.render.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../ids.js';
import { sendDm } from '../replies.js';
import { errorReply } from '../respond.js';
import { alreadyDecidedText, UUID_RE } from './action.parse.js';
import type { ListenerRegistry } from '../router.js';

/** The deny form: the reason is checked, the form closes, and the decision is made (once). */
export function registerDenyFormView(app: ListenerRegistry, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'decision' });
  app.view(CALLBACK_IDS.denyForm, async ({ ack, view, body, client }) => {
    const requestId = view.private_metadata;
    const reason = view.state.values[BLOCK_IDS.denyReason]?.[ACTION_IDS.denyReason]?.value ?? undefined;
    if (!UUID_RE.test(requestId)) {
      await ack({ response_action: 'errors', errors: { [BLOCK_IDS.denyReason]: 'This form is not valid any more.' } });
      return;
    }
    const problem = textProblem(reason, 'denyReason');
    if (problem) {
      const refusal = problem === 'too_long' ? textErrors.tooLong('denyReason') : textErrors.controlCharacters('denyReason');
      await ack({ response_action: 'errors', errors: { [BLOCK_IDS.denyReason]: slackErrorText(refusal) } });
      return;
    }
    await ack();
    try {
      const result = await decideRequest(deps, requestId, body.user.id, { kind: 'deny', reason });
      if (!result.decidedNow) await sendDm(client, body.user.id, alreadyDecidedText(result.request.status), log);
    } catch (err) {
      await sendDm(client, body.user.id, errorReply(err, log).text, log);
    }
    await afterAction(body.user.id);
  });
}
