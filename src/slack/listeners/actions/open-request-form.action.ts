import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { buildRequestFormView } from '../../blocks/modal.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { openView } from '../../views.js';
import type { ListenerRegistry } from '../router.js';

/** "Request access" on the Home tab opens the request form. */
export function registerOpenRequestFormAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'home' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.openRequestForm, async ({ ack, body, client }) => {
    await ack();
    await openView(client, body.trigger_id, buildRequestFormView(deps.catalog), log).catch((err) => log.warn({ err }, 'form'));
  });
}
