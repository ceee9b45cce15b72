import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { auditHistory } from '../../../modules/audit/audit.usecases.js';
import { buildAuditHistoryReply, parseAuditButtonValue } from '../../blocks/audit.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { errorReply } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/**
 * "Older" under a page of `/access audit`: the next page replaces the message. The button carries
 * only a cursor; the clicker must be an admin now (checked by the use case), and the reading is audited.
 */
export function registerAuditOlderAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'audit' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.auditOlder, async ({ ack, action, body, respond }) => {
    await ack();
    const cursor = parseAuditButtonValue(action.value ?? '');
    try {
      if (!cursor) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is not valid any more.' });
        return;
      }
      const page = await auditHistory(deps, { actorId: body.user.id, ...cursor.subject, before: cursor.before, page: cursor.page });
      const timeZone = await deps.people.timeZone(body.user.id).catch(() => undefined);
      await respond({ response_type: 'ephemeral', replace_original: true, ...buildAuditHistoryReply(cursor.subject, page, timeZone) });
    } catch (err) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: errorReply(err, log).text }).catch((e) => log.warn({ err: e }, 'could not answer'));
    }
  });
}
