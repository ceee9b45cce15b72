import type { Logger } from '../../shared/logger.js';
import { isAppError } from '../../shared/errors.js';
import { fallbackTime } from '../blocks/format.js';
import type { EphemeralReply } from '../blocks/command.blocks.js';

/** Slack waits 3 seconds for an acknowledgement; answer in the ack when the work is quicker than this. */
export const ACK_BUDGET_MS = 2_000;

/**
 * Runs `work` and answers in the acknowledgement if it finishes in time; otherwise acknowledges
 * with a short note and sends the answer through `respond` when it is ready.
 */
export async function answerWithin(
  ack: (reply: EphemeralReply & { response_type: 'ephemeral' }) => Promise<void>,
  respond: (reply: EphemeralReply & { response_type: 'ephemeral' }) => Promise<unknown>,
  work: () => Promise<EphemeralReply>,
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
    await ack({ response_type: 'ephemeral', ...first });
    return;
  }
  await ack({ response_type: 'ephemeral', text: ':hourglass_flowing_sand: Working on it…' });
  await respond({ response_type: 'ephemeral', ...(await result) });
}

/** Coded errors show their own message; anything else gets a short apology and a log line. */
export function errorReply(err: unknown, logger: Logger, timeZone?: string): EphemeralReply {
  if (isAppError(err)) {
    const until = typeof err.details.until === 'string' ? fallbackTime(new Date(err.details.until), timeZone) : '';
    return { text: err.userMessage.replace('{until}', until) };
  }
  logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unexpected error');
  return { text: ':warning: Something went wrong on my side and nothing was changed. Please try again in a minute.' };
}
