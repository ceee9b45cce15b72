import { z } from 'zod';
import { defineMessage } from './message.js';

const failure = { job: z.string().min(1).max(60), code: z.string().min(1).max(60), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) };

/** To one admin, or to the security channel: a scheduled job failed (once per job and day). No data, only the job and a code. */
export const scheduledJobFailed = defineMessage({
  payload: z.object({ ...failure, to: z.union([z.object({ dm: z.string().min(1) }), z.object({ channel: z.string().min(1) })]) }),
  async deliver(ctx, { job, code, day, to }) {
    await ctx.messenger.post(to, { look: 'scheduled_job_failed', data: { job, code, day } });
  },
});
