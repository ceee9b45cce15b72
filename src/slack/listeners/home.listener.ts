import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../modules/deps.js';
import { releaseGrantById } from '../../modules/grants/endings.usecases.js';
import { requestExtension } from '../../modules/requests/extensions.usecases.js';
import { findGrant } from '../../modules/grants/grants.repository.js';
import { myOpenReviewItems } from '../../modules/reviews/reviews.usecases.js';
import { cancelRequest, listAwaitingMyDecision, listMyAccess } from '../../modules/requests/requests.usecases.js';
import { isAppError } from '../../shared/errors.js';
import { findDataset } from '../../catalog/catalog.js';
import { buildExtendFormView, buildHomeView } from '../blocks/home.blocks.js';
import { buildRequestFormView } from '../blocks/modal.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../ids.js';
import type { UserDirectory } from '../users.js';
import { openView, publishView } from '../views.js';
import { replyPrivately, sendDm, type Client } from './replies.js';
import { errorReply } from './respond.js';


/** Publishes a person's Home tab from the database. */
export async function publishHome(client: Client, deps: Deps, users: UserDirectory, userId: string): Promise<void> {
  const [access, awaitingMe, review, timeZone] = await Promise.all([
    listMyAccess(deps, userId),
    listAwaitingMyDecision(deps, userId),
    myOpenReviewItems(deps, userId),
    users.timeZone(userId),
  ]);
  await publishView(client, userId, buildHomeView({ access, awaitingMe, review, timeZone }), deps.logger);
}

/**
 * The Home tab and the buttons on a person's own grants and requests (Extend, Release, Cancel),
 * wherever they appear (Home tab or reminder DMs). Ownership is checked on the server.
 */
export function registerHomeListeners(app: App, deps: Deps, users: UserDirectory): (userId: string) => Promise<void> {
  const log = deps.logger.child({ listener: 'home' });
  const refresh = async (userId: string) => {
    await publishHome(app.client, deps, users, userId).catch((err) => log.warn({ err }, 'could not refresh the Home tab'));
  };

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await refresh(event.user);
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.openRequestForm, async ({ ack, body, client }) => {
    await ack();
    await openView(client, body.trigger_id, buildRequestFormView(deps.catalog), log).catch((err) => log.warn({ err }, 'form'));
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.releaseGrant, async ({ ack, action, body, client }) => {
    await ack();
    try {
      const grant = await releaseGrantById(deps, body.user.id, action.value ?? '');
      await replyPrivately(client, body, log)(`:white_check_mark: Releasing your access to \`${grant.datasetId}\` now. Thank you for keeping access small.`);
    } catch (err) {
      await replyPrivately(client, body, log)(errorReply(err, log).text);
    }
    await refresh(body.user.id);
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.cancelRequest, async ({ ack, action, body, client }) => {
    await ack();
    try {
      const r = await cancelRequest(deps, body.user.id, action.value ?? '');
      await replyPrivately(client, body, log)(`Your request for \`${r.dataset.id}\` is cancelled.`);
    } catch (err) {
      await replyPrivately(client, body, log)(errorReply(err, log).text);
    }
    await refresh(body.user.id);
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.extendGrant, async ({ ack, action, body, client }) => {
    await ack();
    const grant = /^[0-9a-f-]{36}$/i.test(action.value ?? '') ? await findGrant(deps.db, action.value!) : undefined;
    if (!grant || grant.userId !== body.user.id || grant.status !== 'active') {
      const what = grant && grant.userId === body.user.id ? `The access to \`${grant.datasetId}\` that this button was for` : 'That access';
      await replyPrivately(client, body, log)(`${what} has already ended, so there is nothing to extend. Nothing was changed.`);
      return;
    }
    const datasetName = findDataset(deps.catalog, grant.datasetId)?.name ?? grant.datasetId;
    await openView(client, body.trigger_id, buildExtendFormView({ id: grant.id, datasetName }), log).catch((err) => log.warn({ err }, 'extend form'));
  });

  app.view(CALLBACK_IDS.extendForm, async ({ ack, view, body, client }) => {
    const values = view.state.values;
    const duration = values[BLOCK_IDS.extendDuration]?.[ACTION_IDS.extendDuration]?.value ?? '';
    const reason = values[BLOCK_IDS.extendReason]?.[ACTION_IDS.extendReason]?.value ?? undefined;
    const grant = /^[0-9a-f-]{36}$/i.test(view.private_metadata) ? await findGrant(deps.db, view.private_metadata) : undefined;
    if (!grant || grant.userId !== body.user.id) {
      await ack({ response_action: 'errors', errors: { [BLOCK_IDS.extendDuration]: 'That access is not yours or no longer exists.' } });
      return;
    }
    try {
      const result = await requestExtension(deps, { userId: body.user.id, datasetId: grant.datasetId, grantId: grant.id, duration, reason });
      await ack();
      const text =
        result.kind === 'extended'
          ? `:white_check_mark: Extended: \`${grant.datasetId}\` now lasts longer.`
          : `:inbox_tray: Your extension request for \`${grant.datasetId}\` was sent to ${result.request.approverIds.map((a) => `<@${a}>`).join(', ')}.`;
      await sendDm(client, body.user.id, text, log);
    } catch (err) {
      const field = isAppError(err) && (err.code.includes('reason') || err.details.field === 'reason') ? BLOCK_IDS.extendReason : BLOCK_IDS.extendDuration;
      await ack({ response_action: 'errors', errors: { [field]: errorReply(err, log, await users.timeZone(body.user.id)).text.slice(0, 300) } });
    }
    await refresh(body.user.id);
  });

  return refresh;
}
