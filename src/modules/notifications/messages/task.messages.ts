import { z } from 'zod';
import { listAuditFor } from '../../audit/audit.repository.js';
import { findTask, listTasks, saveTaskMessage } from '../../grants/tasks.repository.js';
import { TASK_STEPS, type TaskStep } from '../../grants/grants.table.js';
import type { DbOrTx } from '../../../shared/db/client.js';
import { PermanentDeliveryError } from '../notifications.ports.js';
import { defineMessage, mustLoadGrant } from './message.js';

const taskPayload = z.object({ grantId: z.string().uuid(), step: z.enum(TASK_STEPS) });
const taskToPayload = taskPayload.extend({ to: z.string().min(1) });

/** Asks one owner to do a manual step by hand, with a Done button; records where it landed. */
export const task = defineMessage({
  payload: taskToPayload,
  async deliver(ctx, { grantId, step, to }) {
    const existing = await findTask(ctx.db, grantId, step, to);
    if (existing?.messageTs) return; // posted on an earlier attempt
    const grant = await mustLoadGrant(ctx, grantId);
    const [ref] = await ctx.messenger.post({ dm: to }, { look: 'task', data: { task: { grant, step, doneBy: null }, reminder: false } });
    if (!ref) throw new PermanentDeliveryError('the task was not posted');
    await saveTaskMessage(ctx.db, grantId, step, to, ref.channelId, ref.ts);
  },
});

export const taskReminder = defineMessage({
  payload: taskToPayload,
  async deliver(ctx, { grantId, step, to }) {
    const grant = await mustLoadGrant(ctx, grantId);
    if (grant.status !== (step === 'grant' ? 'provisioning' : 'revoking')) return;
    await ctx.messenger.post({ dm: to }, { look: 'task', data: { task: { grant, step, doneBy: null }, reminder: true } });
  },
});

/** Redraws every owner's task message once the step is done (by whom). */
export const taskMessages = defineMessage({
  payload: taskPayload,
  async deliver(ctx, { grantId, step }) {
    const grant = await mustLoadGrant(ctx, grantId);
    const doneBy = await doneByFor(ctx.db, grantId, step);
    for (const t of await listTasks(ctx.db, grantId, step)) {
      if (t.channelId && t.messageTs) {
        await ctx.messenger.update([{ channelId: t.channelId, ts: t.messageTs }], { look: 'task', data: { task: { grant, step, doneBy }, reminder: false } });
      }
    }
  },
});

/** Who confirmed a manual step, from the audit trail (the actor of the event that moved the grant). */
async function doneByFor(db: DbOrTx, grantId: string, step: TaskStep): Promise<string | null> {
  const events = await listAuditFor(db, 'grant', grantId);
  const wanted = step === 'grant' ? ['grant.activated'] : ['grant.expired', 'grant.revoked', 'grant.cleaned_up'];
  return events.reverse().find((e) => wanted.includes(e.action))?.actorId ?? null;
}
