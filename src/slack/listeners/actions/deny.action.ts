import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { prepareDenial } from '../../../modules/requests/denials.usecases.js';
import { buildDenyFormView } from '../../blocks/modal.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { openView } from '../../views.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import { alreadyDecidedText, UUID_RE } from './action.parse.js';
import type { ListenerRegistry } from '../router.js';

/** Deny: opens the form asking why, for someone who may still decide the request. */
export function registerDenyAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'decision' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.deny, async ({ ack, action, body, client }) => {
    await ack();
    const reply = replyPrivately(client, body, log);
    const requestId = action.value ?? '';
    if (!UUID_RE.test(requestId)) return reply('That button is not valid any more.');
    try {
      const denial = await prepareDenial(deps, requestId, body.user.id);
      if (denial.kind === 'already_decided') return reply(alreadyDecidedText(denial.status));
      await openView(client, body.trigger_id, buildDenyFormView(denial.request), log);
    } catch (err) {
      return reply(errorReply(err, log).text);
    }
  });
}
