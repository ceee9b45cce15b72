import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { confirmTask } from '../../../modules/grants/provisioning.usecases.js';
import { parseTaskButtonValue } from '../../blocks/grant.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/**
 * "Done" on a manual step (or "I removed it by hand" on a stuck revoke). The button names the
 * grant and step; who may confirm is checked on the server, and the state change is guarded.
 */
export function registerTaskDoneAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'task' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.taskDone, async ({ ack, action, body, client }) => {
    await ack();
    const reply = replyPrivately(client, body, log);
    const parsed = parseTaskButtonValue(action.value ?? '');
    if (!parsed) return reply('That button is not valid any more.');
    try {
      await confirmTask(deps, parsed.grantId, body.user.id, parsed.step);
      await reply(parsed.step === 'grant' ? ':white_check_mark: Thanks. The person has been told their access is ready.' : ':white_check_mark: Thanks. The access is recorded as removed.');
    } catch (err) {
      await reply(errorReply(err, log).text);
    }
  });
}
