import type { Deps } from '../../../modules/deps.js';
import { extendGrantById } from '../../../modules/requests/extensions.usecases.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../ids.js';
import { sendDm } from '../replies.js';
import { answerViewWithin, formErrors, lateAnswerText, type ViewAnswer } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/** The extend form: mistakes are shown on the form; the outcome is sent as a DM and the Home tab redrawn. */
export function registerExtendFormView(app: ListenerRegistry, deps: Deps, refresh: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'home' });
  app.view(CALLBACK_IDS.extendForm, async ({ ack, view, body, client }) => {
    const userId = body.user.id;
    const values = view.state.values;
    const input = {
      userId,
      grantId: view.private_metadata,
      duration: values[BLOCK_IDS.extendDuration]?.[ACTION_IDS.extendDuration]?.value ?? '',
      reason: values[BLOCK_IDS.extendReason]?.[ACTION_IDS.extendReason]?.value ?? undefined,
    };
    let done: string | undefined;
    await answerViewWithin(
      ack as (answer?: ViewAnswer) => Promise<void>,
      async () => {
        try {
          const result = await extendGrantById(deps, input);
          done =
            result.kind === 'extended'
              ? `:white_check_mark: Extended: \`${result.datasetId}\` now lasts longer.`
              : `:inbox_tray: Your extension request for \`${result.datasetId}\` was sent to ${result.request.approverIds.map((a) => `<@${a}>`).join(', ')}.`;
          return undefined;
        } catch (err) {
          const timeZone = await deps.people.timeZone(userId).catch(() => undefined);
          return formErrors(err, log, { duration: BLOCK_IDS.extendDuration, reason: BLOCK_IDS.extendReason }, BLOCK_IDS.extendDuration, timeZone);
        }
      },
      async (answer) => {
        const text = lateAnswerText(answer);
        if (text) await sendDm(client, userId, text, log);
      },
    );
    if (done) await sendDm(client, userId, done, log);
    await refresh(userId);
  });
}
