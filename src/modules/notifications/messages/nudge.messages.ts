import { z } from 'zod';
import type { DbOrTx } from '../../../shared/db/client.js';
import { findNudge } from '../../nudges/nudges.repository.js';
import { PermanentDeliveryError, type NudgeView } from '../notifications.ports.js';
import { defineMessage } from './message.js';

/** A row id; rows stored before payloads were typed hold it as a string of digits. */
const rowId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);
const nudgePayload = z.object({ nudgeId: rowId });

/** Privately to the poster, in the channel where they posted (a DM when that is not possible). */
export const sensitiveNudge = defineMessage({
  payload: nudgePayload,
  async deliver(ctx, { nudgeId }) {
    const nudge = await mustLoadNudge(ctx.db, nudgeId);
    await ctx.messenger.post({ privately: { channel: nudge.channelId, user: nudge.userId } }, { look: 'coaching', data: nudge });
  },
});

/** To the security channel, when the catalog names one: where and what kind, never the content. */
export const securityAlert = defineMessage({
  payload: nudgePayload,
  async deliver(ctx, { nudgeId }) {
    const nudge = await mustLoadNudge(ctx.db, nudgeId);
    const channel = ctx.catalog.sensitiveData?.alertChannel;
    if (channel) await ctx.messenger.post({ channel }, { look: 'security_alert', data: nudge });
  },
});

/** This month's data-handling tip, to each holder of sensitive data. */
export const hygieneTip = defineMessage({
  payload: z.object({ userId: z.string().min(1), tip: rowId }),
  async deliver(ctx, { userId, tip }) {
    const text = ctx.catalog.handlingPolicy?.tips[tip];
    if (text) await ctx.messenger.post({ dm: userId }, { look: 'tip', data: { text } });
  },
});

async function mustLoadNudge(db: DbOrTx, nudgeId: number): Promise<NudgeView> {
  const nudge = await findNudge(db, nudgeId);
  if (!nudge) throw new PermanentDeliveryError('nudge not found');
  return { id: nudge.id, userId: nudge.userId, channelId: nudge.channelId, messageTs: nudge.messageTs, detectors: nudge.detectors, nudged: nudge.nudged };
}
