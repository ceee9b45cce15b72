import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { cancelRequest } from '../../../modules/requests/requests.usecases.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/** Cancel on one of the clicker's pending requests; ownership is checked on the server. */
export function registerCancelRequestAction(app: ListenerRegistry, deps: Deps, refresh: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'home' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.cancelRequest, async ({ ack, action, body, client }) => {
    await ack();
    const reply = replyPrivately(client, body, log);
    try {
      const r = await cancelRequest(deps, body.user.id, action.value ?? '');
      await reply(`Your request for \`${r.dataset.id}\` is cancelled.`);
    } catch (err) {
      await reply(errorReply(err, log).text);
    }
    await refresh(body.user.id);
  });
}
