import type { WebClient } from '@slack/web-api';

export interface UserDirectory {
  /** The user's IANA time zone from their Slack profile, or undefined when unknown. */
  timeZone(userId: string): Promise<string | undefined>;
  /** Slack user id for an email address, or undefined when no user has it. */
  idByEmail(email: string): Promise<string | undefined>;
}

const TTL_MS = 60 * 60 * 1000;

export function slackUserDirectory(client: WebClient): UserDirectory {
  const zones = new Map<string, { tz: string | undefined; at: number }>();
  return {
    async timeZone(userId) {
      const hit = zones.get(userId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.tz;
      try {
        const res = await client.users.info({ user: userId });
        const tz = res.user?.tz;
        zones.set(userId, { tz, at: Date.now() });
        return tz;
      } catch {
        return undefined; // a time in UTC is better than no answer
      }
    },
    async idByEmail(email) {
      try {
        const res = await client.users.lookupByEmail({ email });
        return res.user?.id;
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
        throw err;
      }
    },
  };
}
