import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../modules/deps.js';
import { assertMayDecide, decideRequest, type DecisionResult } from '../../modules/requests/decisions.usecases.js';
import { loadRequestView } from '../../modules/requests/requests.usecases.js';
import { buildDenyFormView } from '../blocks/modal.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import { textErrors, textProblem } from '../../shared/text.js';
import { openView } from '../views.js';
import { replyPrivately, sendDm } from './replies.js';
import { errorReply } from './respond.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Approve and Deny. The button only says which request; who may decide is checked on the server
 * against the catalog and the database, and the decision is guarded in SQL so it happens once.
 */
export function registerDecisionListeners(app: App, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'decision' });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approve, async ({ ack, action, body, client }) => {
    await ack();
    const refuse = replyPrivately(client, body, log);
    const requestId = action.value ?? '';
    if (!UUID_RE.test(requestId)) return refuse('That button is not valid any more.');
    try {
      const text = outcomeText(await decideRequest(deps, requestId, body.user.id, { kind: 'approve' }));
      if (text) await refuse(text);
    } catch (err) {
      await refuse(errorReply(err, log).text);
    }
    await afterAction(body.user.id);
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.deny, async ({ ack, action, body, client }) => {
    await ack();
    const refuse = replyPrivately(client, body, log);
    const requestId = action.value ?? '';
    if (!UUID_RE.test(requestId)) return refuse('That button is not valid any more.');
    try {
      const request = await assertMayDecide(deps, requestId, body.user.id);
      if (request.status !== 'pending') return refuse(alreadyDecidedText(request.status));
      const view = await loadRequestView(deps, requestId);
      await openView(client, body.trigger_id, buildDenyFormView(view!), log);
    } catch (err) {
      return refuse(errorReply(err, log).text);
    }
  });

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
      await ack({ response_action: 'errors', errors: { [BLOCK_IDS.denyReason]: refusal.userMessage } });
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

/** What the clicker is told privately; nothing when the updated message says it all. */
function outcomeText(result: DecisionResult): string | undefined {
  const r = result.request;
  const missing = r.approvalsRequired - r.approvedBy.length;
  switch (result.outcome) {
    case 'approved':
    case 'denied':
      return undefined;
    case 'partial':
      return `:ballot_box_with_check: Your approval is recorded (${r.approvedBy.length} of ${r.approvalsRequired}). Waiting for ${missing} more.`;
    case 'already_approved_by_you':
      return `You already approved this request. Waiting for ${missing} more approval${missing === 1 ? '' : 's'}.`;
    default:
      return alreadyDecidedText(r.status);
  }
}

function alreadyDecidedText(status: string): string {
  return `This request was already ${status}; nothing more to do. The message shows who decided.`;
}
