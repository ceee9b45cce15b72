import { splitRequestArgs } from '../../../modules/requests/requests.usecases.js';
import { submitRequest } from '../../../modules/requests/submissions.usecases.js';
import { buildAcknowledgementView } from '../../blocks/acknowledgement.blocks.js';
import { section } from '../../blocks/format.js';
import { buildRequestFormView, type RequestFormPrefill } from '../../blocks/modal.blocks.js';
import { requestReceivedText } from '../../blocks/request.blocks.js';
import { COMMAND } from '../../ids.js';
import { openView } from '../../views.js';
import { answerWithin } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access request <dataset> [duration] [reason…]` (and `/access` alone): the request, the form, or the policy first. */
export async function requestCommand(ctx: CommandContext): Promise<void> {
  const args = splitRequestArgs(ctx.args);
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      const result = await submitRequest(ctx.deps, { requesterId: ctx.userId, datasetId: args.datasetId ?? '', duration: args.duration, reason: args.reason, via: 'command' });
      switch (result.kind) {
        case 'needs_form':
          return openRequestForm(ctx, result.prefill);
        case 'needs_acknowledgement':
          await openView(ctx.client, ctx.triggerId, buildAcknowledgementView(result.policy, result.draftId), ctx.log).catch((err) =>
            ctx.log.warn({ err }, 'could not open the policy'),
          );
          return undefined;
        case 'created': {
          const text = requestReceivedText(result.request);
          return { text, blocks: [section(text)] };
        }
      }
    },
    ctx.log,
    ctx.timeZone,
  );
}

/** `/access` alone opens the form. */
export async function formCommand(ctx: CommandContext): Promise<void> {
  return answerWithin(ctx.ack, ctx.respond, () => openRequestForm(ctx, {}), ctx.log);
}

async function openRequestForm(ctx: CommandContext, prefill: RequestFormPrefill) {
  try {
    await openView(ctx.client, ctx.triggerId, buildRequestFormView(ctx.deps.catalog, prefill), ctx.log);
    return undefined;
  } catch (err) {
    ctx.log.warn({ err }, 'could not open the request form');
    return { text: `I could not open the request form. You can also type \`${COMMAND} request &lt;dataset&gt; [duration] [reason…]\`.` };
  }
}
