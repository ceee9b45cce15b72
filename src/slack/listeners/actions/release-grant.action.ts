import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { releaseGrantById } from '../../../modules/grants/endings.usecases.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/** Release on one of the clicker's grants (Home tab or a reminder); ownership is checked on the server. */
export function registerReleaseGrantAction(app: ListenerRegistry, deps: Deps, refresh: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'home' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.releaseGrant, async ({ ack, action, body, client }) => {
    await ack();
    const reply = replyPrivately(client, body, log);
    try {
      const grant = await releaseGrantById(deps, body.user.id, action.value ?? '');
      await reply(`:white_check_mark: Releasing your access to \`${grant.datasetId}\` now. Thank you for keeping access small.`);
    } catch (err) {
      await reply(errorReply(err, log).text);
    }
    await refresh(body.user.id);
  });
}
