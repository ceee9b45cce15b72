import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { findExtendableGrant } from '../../../modules/grants/holder.usecases.js';
import { buildExtendFormView } from '../../blocks/home.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { openView } from '../../views.js';
import { replyPrivately } from '../replies.js';
import type { ListenerRegistry } from '../router.js';

/** Extend on one of the clicker's grants opens the extend form, if that grant is still theirs and active. */
export function registerExtendGrantAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'home' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.extendGrant, async ({ ack, action, body, client }) => {
    await ack();
    const found = await findExtendableGrant(deps, body.user.id, action.value ?? '');
    if (found.kind === 'ended') {
      const what = found.datasetId ? `The access to \`${found.datasetId}\` that this button was for` : 'That access';
      await replyPrivately(client, body, log)(`${what} has already ended, so there is nothing to extend. Nothing was changed.`);
      return;
    }
    await openView(client, body.trigger_id, buildExtendFormView({ id: found.grantId, datasetName: found.datasetName }), log).catch((err) => log.warn({ err }, 'extend form'));
  });
}
