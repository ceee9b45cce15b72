import type { z } from 'zod';
import type { Catalog } from '../../../catalog/catalog.js';
import type { Clock } from '../../../shared/clock.js';
import type { DbOrTx } from '../../../shared/db/client.js';
import type { DigestView, GrantView, Messenger, RequestView } from '../notifications.ports.js';
import { PermanentDeliveryError } from '../notifications.ports.js';

/** Loads the views messages are made of (wired by the delivery use case from the owning modules). */
export interface ViewLoaders {
  request(requestId: string): Promise<RequestView | undefined>;
  grant(grantId: string): Promise<GrantView | undefined>;
  digest(campaignId: string, ownerId: string): Promise<DigestView | undefined>;
}

/** What delivering a message may use. */
export interface MessageContext {
  db: DbOrTx;
  clock: Clock;
  catalog: Catalog;
  timeZone(userId: string): Promise<string | undefined>;
  views: ViewLoaders;
  messenger: Messenger;
}

/** One message: its payload (as stored in the outbox) and how to deliver it: load what it needs, then say it. */
export interface MessageDefinition<S extends z.ZodType = z.ZodType> {
  payload: S;
  deliver(ctx: MessageContext, payload: z.output<S>): Promise<void>;
}

export function defineMessage<S extends z.ZodType>(definition: MessageDefinition<S>): MessageDefinition<S> {
  return definition;
}

export async function mustLoadRequest(ctx: MessageContext, requestId: string): Promise<RequestView> {
  const view = await ctx.views.request(requestId);
  if (!view) throw new PermanentDeliveryError('request not found');
  return view;
}

export async function mustLoadGrant(ctx: MessageContext, grantId: string): Promise<GrantView> {
  const view = await ctx.views.grant(grantId);
  if (!view) throw new PermanentDeliveryError('grant not found');
  return view;
}
