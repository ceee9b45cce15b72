import type { WebClient } from '@slack/web-api';

export interface UserDirectory {
  /** The user's IANA time zone from their Slack profile, or undefined when unknown. */
  timeZone(userId: string): Promise<string | undefined>;
  /** Slack user id for an email address, or undefined when no user has it. */
  idByEmail(email: string): Promise<string | undefined>;
  /** The email on the user's Slack profile (needs users:read.email). */
  email(userId: string): Promise<string | undefined>;
}

const TTL_MS = 60 * 60 * 1000;

export function slackUserDirectory(client: WebClient): UserDirectory {
  const profiles = new Map<string, { tz?: string; email?: string; at: number }>();
  async function profile(userId: string) {
    const hit = profiles.get(userId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    const res = await client.users.info({ user: userId });
    const entry = { tz: res.user?.tz, email: res.user?.profile?.email, at: Date.now() };
    profiles.set(userId, entry);
    return entry;
  }
  return {
    async timeZone(userId) {
      // a time in UTC is better than no answer
      return profile(userId).then((p) => p.tz, () => undefined);
    },
    async email(userId) {
      // errors propagate: a connector must not guess a login when Slack did not answer
      return (await profile(userId)).email;
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
