import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { markNudgeFixed } from '../../../modules/nudges/nudges.usecases.js';
import { ACTION_IDS } from '../../ids.js';
import type { ListenerRegistry } from '../router.js';

/** "I fixed it" on a sensitive-data coaching message. */
export function registerNudgeFixedAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'messages' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.nudgeFixed, async ({ ack, action, body, respond }) => {
    await ack();
    const id = Number(action.value);
    if (!Number.isSafeInteger(id)) return;
    const fixed = await markNudgeFixed(deps, id, body.user.id);
    await respond({
      replace_original: true,
      text: fixed ? ':white_check_mark: Thank you for keeping customer data safe.' : 'Already noted. Thank you!',
    }).catch((err) => log.warn({ err }, 'could not update the coaching message'));
  });
}
