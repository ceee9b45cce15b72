import type { Logger } from '../../shared/logger.js';
import { isAppError } from '../../shared/errors.js';
import type { EphemeralReply } from '../blocks/command.blocks.js';
import { errorField, slackErrorText, type FormField } from '../errors.render.js';

/** Slack waits 3 seconds for an acknowledgement; answer in the ack when the work is quicker than this. */
export const ACK_BUDGET_MS = 2_000;

export type CommandAck = (reply?: EphemeralReply & { response_type: 'ephemeral' }) => Promise<void>;
export type CommandRespond = (reply: EphemeralReply & { response_type: 'ephemeral' }) => Promise<unknown>;

/**
 * Runs `work` and answers in the acknowledgement if it finishes in time; otherwise acknowledges
 * with a short note and sends the answer through `respond` when it is ready. Work that answered
 * another way (it opened a view) returns nothing, and the acknowledgement is empty.
 */
export async function answerWithin(
  ack: CommandAck,
  respond: CommandRespond,
  work: () => Promise<EphemeralReply | undefined>,
  logger: Logger,
  timeZone?: () => Promise<string | undefined>,
): Promise<void> {
  const result = work().then(
    (reply) => reply,
    async (err) => errorReply(err, logger, await timeZone?.().catch(() => undefined)),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ACK_BUDGET_MS);
  });
  const first = await Promise.race([result, late]);
  clearTimeout(timer);
  if (first !== 'late') {
    await (first ? ack({ response_type: 'ephemeral', ...first }) : ack());
    return;
  }
  await ack({ response_type: 'ephemeral', text: ':hourglass_flowing_sand: Working on it…' });
  const reply = await result;
  if (reply) await respond({ response_type: 'ephemeral', ...reply });
}

/** Coded errors are shown as the error table renders them; anything else gets a short apology and a log line. */
export function errorReply(err: unknown, logger: Logger, timeZone?: string): EphemeralReply {
  if (isAppError(err)) return { text: slackErrorText(err, { timeZone }) };
  logger.error({ err }, 'unexpected error');
  return { text: ':warning: Something went wrong on my side and nothing was changed. Please try again in a minute.' };
}

/** What a view submission answers with: nothing (close), field errors, or another view on top. */
export type ViewAnswer =
  | undefined
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'push'; view: import('@slack/types').ModalView }
  | { response_action: 'clear' };

/**
 * For form submissions: answer in the acknowledgement when the work is quick. When it is not
 * (Slack slow to say who someone is, a busy database), close the form within Slack's 3 seconds and
 * tell the person the outcome by `late` once it is known, so nothing is lost silently.
 */
export async function answerViewWithin(ack: (answer?: ViewAnswer) => Promise<void>, work: () => Promise<ViewAnswer>, late: (answer: ViewAnswer) => Promise<void>): Promise<void> {
  const result = work();
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ACK_BUDGET_MS);
  });
  const first = await Promise.race([result.then((answer) => ({ answer })), slow]);
  clearTimeout(timer);
  if (first !== 'late') {
    await ack(first.answer);
    return;
  }
  await ack();
  await late(await result);
}

/** The text of a late answer, for a DM: the field errors, or where to go on. */
export function lateAnswerText(answer: ViewAnswer): string | undefined {
  if (!answer) return undefined;
  if (answer.response_action === 'errors') return `:warning: ${Object.values(answer.errors).join(' ')}`;
  if (answer.response_action === 'push') return 'Please run `/access request` again: there is something to read before your request can be sent.';
  return undefined;
}

/**
 * A refusal shown on a form: under the field the error table names for it (mapped to this form's
 * blocks), else under the form's `fallback` block.
 */
export function formErrors(err: unknown, logger: Logger, blocks: Partial<Record<FormField, string>>, fallback: string, timeZone?: string): ViewAnswer {
  const field = isAppError(err) ? errorField(err) : undefined;
  const block = (field && blocks[field]) ?? fallback;
  return { response_action: 'errors', errors: { [block]: errorReply(err, logger, timeZone).text.slice(0, 300) } };
}
