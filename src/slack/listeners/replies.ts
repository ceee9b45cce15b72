import type { App, BlockAction } from '@slack/bolt';
import type { Logger } from '../../shared/logger.js';

export type Client = App['client'];

/** A plain direct message; failures are logged, never thrown into a listener. */
export async function sendDm(client: Client, userId: string, text: string, log: Logger): Promise<void> {
  try {
    const open = await client.conversations.open({ users: userId });
    if (open.channel?.id) await client.chat.postMessage({ channel: open.channel.id, text });
  } catch (err) {
    log.warn({ err }, 'could not send a direct message');
  }
}

/**
 * A reply only the clicker sees: ephemeral in the conversation where they clicked, or a DM when
 * the click came from somewhere without one (the Home tab, a modal).
 */
export function replyPrivately(client: Client, body: BlockAction, log: Logger): (text: string) => Promise<void> {
  return async (text: string) => {
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!channel) return sendDm(client, body.user.id, text, log);
    try {
      await client.chat.postEphemeral({ channel, user: body.user.id, text });
    } catch (err) {
      log.warn({ err }, 'could not send a private reply');
    }
  };
}
