import type { App } from '@slack/bolt';
import { findDataset, reasonRequired } from '../../catalog/catalog.js';
import type { Deps } from '../../modules/deps.js';
import { createRequest, listMyAccess, splitRequestArgs } from '../../modules/requests/requests.usecases.js';
import { datasetsReply, helpReply, myAccessReply } from '../blocks/command.blocks.js';
import { buildRequestFormView, type RequestFormPrefill } from '../blocks/modal.blocks.js';
import { requestReceivedText } from '../blocks/request.blocks.js';
import { section } from '../blocks/format.js';
import { COMMAND } from '../ids.js';
import type { UserDirectory } from '../users.js';
import { answerWithin, errorReply } from './respond.js';

/** `/access …`: parses the text, acknowledges within Slack's 3 seconds, and calls one use case. */
export function registerCommandListener(app: App, deps: Deps, users: UserDirectory): void {
  app.command(COMMAND, async ({ command, ack, respond, client, logger: _ }) => {
    const log = deps.logger.child({ listener: 'command', user: command.user_id });
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = words[0]?.toLowerCase();
    const tz = () => users.timeZone(command.user_id);

    const openForm = async (prefill: RequestFormPrefill) => {
      await ack();
      try {
        await client.views.open({ trigger_id: command.trigger_id, view: buildRequestFormView(deps.catalog, prefill) });
      } catch (err) {
        log.warn({ err: String(err) }, 'could not open the request form');
        await respond({
          response_type: 'ephemeral',
          text: `I could not open the request form. You can also type \`${COMMAND} request <dataset> [duration] [reason…]\`.`,
        });
      }
    };

    if (sub === undefined) return openForm({});

    if (sub === 'request') {
      const args = splitRequestArgs(words.slice(1));
      if (!args.datasetId) return openForm({});
      const dataset = findDataset(deps.catalog, args.datasetId);
      // A missing required reason is finished in the form rather than refused.
      if (dataset && reasonRequired(dataset) && !args.reason) return openForm({ datasetId: dataset.id, duration: args.duration });
      return answerWithin(
        ack,
        respond,
        async () => {
          const view = await createRequest(deps, {
            requesterId: command.user_id,
            datasetId: args.datasetId!,
            duration: args.duration,
            reason: args.reason,
            via: 'command',
          });
          const text = requestReceivedText(view);
          return { text, blocks: [section(text)] };
        },
        log,
        tz,
      );
    }

    if (sub === 'list') {
      return answerWithin(ack, respond, async () => myAccessReply(await listMyAccess(deps, command.user_id), await tz()), log);
    }
    if (sub === 'datasets') return answerWithin(ack, respond, async () => datasetsReply(deps.catalog), log);

    const reply = sub === 'help' ? helpReply() : withUnknown(sub, helpReply());
    await ack({ response_type: 'ephemeral', ...reply }).catch((err) => errorReply(err, log));
  });
}

function withUnknown(sub: string, help: ReturnType<typeof helpReply>) {
  const note = `I don't know \`${sub.replace(/[`<>&]/g, '').slice(0, 40)}\`. Here is what I can do:`;
  return { text: `${note}\n${help.text}`, blocks: [section(note), ...(help.blocks ?? [])] };
}
