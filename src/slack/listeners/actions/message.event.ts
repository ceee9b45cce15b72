import type { Deps } from '../../../modules/deps.js';
import { handlePostedMessage } from '../../../modules/nudges/nudges.usecases.js';
import type { ListenerRegistry } from '../router.js';

const HANDLED_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * New messages in the channels the bot is in are checked for sensitive data. The text is passed
 * to the detectors and dropped: it is never stored or logged.
 */
export function registerMessageEvent(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'messages' });
  app.event('message', async ({ event }) => {
    const e = event as { subtype?: string; user?: string; bot_id?: string; channel: string; channel_type?: string; ts: string; text?: string; files?: Array<{ name?: string; filetype?: string }> };
    if (!HANDLED_SUBTYPES.has(e.subtype) || e.bot_id || !e.user || e.channel_type === 'im') return;
    // Bolt has acknowledged the event already; let that answer (and other requests waiting on the
    // event loop) go out before the scan runs.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await handlePostedMessage(deps, {
        userId: e.user,
        channelId: e.channel,
        ts: e.ts,
        text: e.text ?? '',
        files: (e.files ?? []).map((f) => ({ name: f.name, filetype: f.filetype })),
      });
    } catch (err) {
      log.error({ channel: e.channel, err }, 'could not check a message');
    }
  });
}
