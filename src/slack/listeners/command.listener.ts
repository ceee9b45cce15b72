import type { App } from '@slack/bolt';
import { findDataset, reasonRequired } from '../../catalog/catalog.js';
import type { Deps } from '../../modules/deps.js';
import { releaseGrant, revokeGrantOf } from '../../modules/grants/endings.usecases.js';
import { requestExtension } from '../../modules/requests/extensions.usecases.js';
import { myOpenReviewItems, startReview } from '../../modules/reviews/reviews.usecases.js';
import { buildDigestParts } from '../blocks/review.blocks.js';
import { cancelRequestForDataset, createRequest, listMyAccess, splitRequestArgs, validateRequest } from '../../modules/requests/requests.usecases.js';
import { textErrors, textProblem } from '../../shared/text.js';
import { datasetsReply, helpReply, myAccessReply } from '../blocks/command.blocks.js';
import { buildRequestFormView, type RequestFormPrefill } from '../blocks/modal.blocks.js';
import { requestReceivedText } from '../blocks/request.blocks.js';
import { formatWhen, section } from '../blocks/format.js';
import { COMMAND } from '../ids.js';
import type { UserDirectory } from '../users.js';
import { openView } from '../views.js';
import { acknowledgementGate } from './acknowledgement.listener.js';
import { answerWithin, errorReply } from './respond.js';

/** `/access …`: parses the text, acknowledges within Slack's 3 seconds, and calls one use case. */
export function registerCommandListener(app: App, deps: Deps, users: UserDirectory): void {
  app.command(COMMAND, async ({ command, ack, respond, client, logger: _ }) => {
    const log = deps.logger.child({ listener: 'command', user: command.user_id });
    // refused before anything is parsed, stored or opened
    const problem = textProblem(command.text, 'command');
    if (problem) return ackText(ack, (problem === 'too_long' ? textErrors.tooLong('command') : textErrors.controlCharacters('command')).userMessage);
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = words[0]?.toLowerCase();
    const tz = () => users.timeZone(command.user_id);

    const openForm = async (prefill: RequestFormPrefill) => {
      await ack();
      try {
        await openView(client, command.trigger_id, buildRequestFormView(deps.catalog, prefill), log);
      } catch (err) {
        log.warn({ err }, 'could not open the request form');
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
      const input = { requesterId: command.user_id, datasetId: args.datasetId, duration: args.duration, reason: args.reason, via: 'command' as const };
      // mistakes are answered before any form opens or anything is held for later
      try {
        validateRequest(deps, input);
      } catch (err) {
        return ackText(ack, errorReply(err, log).text);
      }
      // a first request for sensitive data waits behind the data-handling policy
      const gate = await acknowledgementGate(deps, command.user_id, dataset, { datasetId: args.datasetId, duration: args.duration, reason: args.reason });
      if (gate) {
        await ack();
        await openView(client, command.trigger_id, gate, log).catch((err) => log.warn({ err }, 'could not open the policy'));
        return;
      }
      return answerWithin(
        ack,
        respond,
        async () => {
          const view = await createRequest(deps, input);
          const text = requestReceivedText(view);
          return { text, blocks: [section(text)] };
        },
        log,
        tz,
      );
    }

    if (sub === 'release') {
      const datasetId = words[1];
      if (!datasetId) return ackText(ack, `Which dataset? \`${COMMAND} release <dataset>\``);
      return answerWithin(
        ack,
        respond,
        async () => {
          await releaseGrant(deps, command.user_id, datasetId);
          return { text: `:white_check_mark: Releasing your access to \`${datasetId.toLowerCase()}\` now. Thank you for keeping access small.` };
        },
        log,
        tz,
      );
    }

    if (sub === 'revoke') {
      const userId = parseUser(words[1]);
      const datasetId = words[2];
      if (!userId || !datasetId) return ackText(ack, `Usage: \`${COMMAND} revoke @person <dataset> [reason…]\``);
      const reason = words.slice(3).join(' ') || undefined;
      return answerWithin(
        ack,
        respond,
        async () => {
          await revokeGrantOf(deps, command.user_id, userId, datasetId, reason);
          return { text: `:white_check_mark: Revoking <@${userId}>'s access to \`${datasetId.toLowerCase()}\` now; they will be told${reason ? ' why' : ''}.` };
        },
        log,
        tz,
      );
    }

    if (sub === 'extend') {
      const [datasetId, duration, ...rest] = words.slice(1);
      if (!datasetId || !duration) return ackText(ack, `Usage: \`${COMMAND} extend <dataset> <duration> [reason…]\`, e.g. \`${COMMAND} extend crm-contacts 2d still cleaning the list\``);
      return answerWithin(
        ack,
        respond,
        async () => {
          const result = await requestExtension(deps, { userId: command.user_id, datasetId, duration, reason: rest.join(' ') || undefined });
          if (result.kind === 'extended') return { text: `:white_check_mark: Extended: your access now lasts until ${formatWhen(result.endsAt, await tz())}.` };
          return { text: `:inbox_tray: Your extension request was sent to ${result.request.approverIds.map((a) => `<@${a}>`).join(', ')}.` };
        },
        log,
        tz,
      );
    }

    if (sub === 'cancel') {
      const datasetId = words[1];
      if (!datasetId) return ackText(ack, `Which request? \`${COMMAND} cancel <dataset>\``);
      return answerWithin(
        ack,
        respond,
        async () => {
          await cancelRequestForDataset(deps, command.user_id, datasetId);
          return { text: `Your request for \`${datasetId.toLowerCase()}\` is cancelled.` };
        },
        log,
      );
    }

    if (sub === 'review') {
      if (words[1]?.toLowerCase() === 'start') {
        return answerWithin(
          ack,
          respond,
          async () => {
            const { campaign, created } = await startReview(deps, command.user_id);
            return {
              text: created
                ? `:mag: Access review started. Owners are getting their digests now; it closes ${formatWhen(campaign.deadline, await tz())}.`
                : `An access review is already open until ${formatWhen(campaign.deadline, await tz())}.`,
            };
          },
          log,
          tz,
        );
      }
      return answerWithin(ack, respond, async () => reviewReply(await myOpenReviewItems(deps, command.user_id)), log, tz);
    }

    if (sub === 'list') {
      return answerWithin(ack, respond, async () => myAccessReply(await listMyAccess(deps, command.user_id), await tz()), log);
    }
    if (sub === 'datasets') return answerWithin(ack, respond, async () => datasetsReply(deps.catalog), log);

    const reply = sub === 'help' ? helpReply() : withUnknown(sub, helpReply());
    await ack({ response_type: 'ephemeral', ...reply }).catch((err) => errorReply(err, log));
  });
}

/** `/access review`: the caller's undecided items, with Keep and Revoke. */
function reviewReply(digest: Awaited<ReturnType<typeof myOpenReviewItems>>) {
  if (!digest || digest.datasets.length === 0) return { text: 'Nothing to review right now. Thank you for keeping access small.' };
  const [first] = buildDigestParts(digest);
  return { text: 'Your open review items', blocks: first!.blocks };
}

async function ackText(ack: (r: { response_type: 'ephemeral'; text: string }) => Promise<void>, text: string) {
  await ack({ response_type: 'ephemeral', text });
}

/** A user as Slack escapes it in command text (<@U123|name>), or a bare id. */
export function parseUser(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([UW][A-Z0-9]{2,})$/.exec(word);
  return m?.[1];
}

function withUnknown(sub: string, help: ReturnType<typeof helpReply>) {
  const note = `I don't know \`${sub.replace(/[`<>&]/g, '').slice(0, 40)}\`. Here is what I can do:`;
  return { text: `${note}\n${help.text}`, blocks: [section(note), ...(help.blocks ?? [])] };
}
