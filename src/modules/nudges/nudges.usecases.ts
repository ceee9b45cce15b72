import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import * as repo from './nudges.repository.js';
import { looksLikeCustomerExport, scanText, type DetectorName } from './nudges.rules.js';

export interface PostedMessage {
  userId: string;
  channelId: string;
  ts: string;
  text: string;
  files: Array<{ name?: string; filetype?: string }>;
}

export type NudgeOutcome = { kind: 'clean' } | { kind: 'ignored' } | { kind: 'nudged'; nudgeId: number } | { kind: 'rate_limited'; nudgeId: number };

/**
 * Looks at a message for sensitive data. When something is found, the poster gets a private,
 * friendly coaching message (at most `maxPerHour` an hour), and optionally the security channel
 * an alert. Only the detectors' names and where it happened are stored, never the content.
 */
export async function handlePostedMessage(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'logger'>, message: PostedMessage): Promise<NudgeOutcome> {
  const settings = deps.catalog.sensitiveData;
  if (!settings?.enabled || settings.excludeChannels.includes(message.channelId)) return { kind: 'ignored' };
  const detectors: DetectorName[] = scanText(message.text).map((f) => f.detector);
  if (message.files.some(looksLikeCustomerExport)) detectors.push('customer_export_file');
  if (detectors.length === 0) return { kind: 'clean' };

  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    await repo.lockPerson(tx, message.userId);
    const recent = await repo.countNudgedSince(tx, message.userId, new Date(now.getTime() - 3600_000));
    const nudged = recent < settings.maxNudgesPerHour;
    const row = await repo.insertNudge(tx, { userId: message.userId, channelId: message.channelId, messageTs: message.ts, detectors, at: now, nudged });
    if (!row) return undefined;
    const messages = [
      ...(nudged ? [outboxMessage('sensitive_nudge', { nudgeId: row.id })] : []),
      ...(settings.alertChannel ? [outboxMessage('security_alert', { nudgeId: row.id })] : []),
    ];
    return { row, ids: await addToOutbox(tx, now, messages) };
  });
  if (!result) return { kind: 'ignored' }; // a retry of a message already handled
  deps.logger.info({ nudgeId: result.row.id, detectors, channel: message.channelId }, 'sensitive data seen');
  await deps.jobs.enqueueDeliveries(result.ids).catch(() => undefined);
  return result.row.nudged ? { kind: 'nudged', nudgeId: result.row.id } : { kind: 'rate_limited', nudgeId: result.row.id };
}

/** "I've fixed it": only the poster can mark their own nudge. */
export async function markNudgeFixed(deps: Pick<Deps, 'db' | 'clock'>, nudgeId: number, userId: string): Promise<boolean> {
  return repo.markFixed(deps.db, nudgeId, userId, deps.clock.now());
}
