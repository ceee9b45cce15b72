import { z } from 'zod';
import { defineMessage, mustLoadGrant } from './message.js';

const grantPayload = z.object({ grantId: z.string().uuid() });
const grantToPayload = grantPayload.extend({ to: z.string().min(1) });

/** To the holder: the access is in place, until when. */
export const accessReady = defineMessage({
  payload: grantPayload,
  async deliver(ctx, { grantId }) {
    const grant = await mustLoadGrant(ctx, grantId);
    const timeZone = await ctx.timeZone(grant.userId);
    await ctx.messenger.post({ dm: grant.userId }, { look: 'access_ready', data: { grant, timeZone } });
  },
});

/** To the holder: the access has ended (expired, released or revoked). */
export const grantExpired = defineMessage({
  payload: grantPayload,
  async deliver(ctx, { grantId }) {
    const grant = await mustLoadGrant(ctx, grantId);
    await ctx.messenger.post({ dm: grant.userId }, { look: 'grant_expired', data: grant });
  },
});

export const grantExtended = defineMessage({
  payload: grantPayload,
  async deliver(ctx, { grantId }) {
    const grant = await mustLoadGrant(ctx, grantId);
    const timeZone = await ctx.timeZone(grant.userId);
    await ctx.messenger.post({ dm: grant.userId }, { look: 'grant_extended', data: { grant, timeZone } });
  },
});

/** Before the end, with Extend and Release. */
export const expiryReminder = defineMessage({
  payload: grantPayload.extend({ lead: z.enum(['24h', '1h']) }),
  async deliver(ctx, { grantId, lead }) {
    const grant = await mustLoadGrant(ctx, grantId);
    if (grant.status !== 'active') return;
    const timeZone = await ctx.timeZone(grant.userId);
    await ctx.messenger.post({ dm: grant.userId }, { look: 'expiry_reminder', data: { grant, lead, timeZone } });
  },
});

/** To the requester and each owner: the target system could not give the access. */
export const provisionFailed = defineMessage({
  // the grant's own last error is cleared as it moves on; the payload keeps what went wrong
  payload: grantToPayload.extend({ error: z.string().transform((e) => e.slice(0, 500)).optional() }),
  async deliver(ctx, { grantId, to, error }) {
    const grant = await mustLoadGrant(ctx, grantId);
    await ctx.messenger.post({ dm: to }, { look: 'provision_failed', data: { grant: { ...grant, lastError: error ?? grant.lastError }, toRequester: to === grant.userId } });
  },
});

/** To owners and admins: removing access keeps failing; a person may resolve it by hand. */
export const revokeStuck = defineMessage({
  payload: grantToPayload,
  async deliver(ctx, { grantId, to }) {
    const grant = await mustLoadGrant(ctx, grantId);
    if (grant.status !== 'revoking') return; // resolved before the alert went out
    await ctx.messenger.post({ dm: to }, { look: 'revoke_stuck', data: grant });
  },
});
