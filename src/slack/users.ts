import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory, Standing } from '../shared/people.ports.js';

// short: a deactivation or a change to guest must take effect soon
const TTL_MS = 5 * 60 * 1000;
// a bound on the profiles kept (about 200 bytes each): the least recently fetched go first
const MAX_PROFILES = 10_000;

/** The people directory, from Slack profiles (users.info, users.list, users.lookupByEmail). */
export function slackUserDirectory(client: WebClient, maxProfiles = MAX_PROFILES): PeopleDirectory {
  const profiles = new Map<string, { tz?: string; email?: string; standing: Standing; at: number }>();
  async function profile(userId: string) {
    const hit = profiles.get(userId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    const res = await client.users.info({ user: userId });
    const u = res.user;
    const standing: Standing = !u
      ? 'unknown'
      : u.deleted
        ? 'deactivated'
        : u.is_bot || u.is_app_user
          ? 'bot'
          : u.is_restricted || u.is_ultra_restricted
            ? 'guest'
            : 'member';
    const entry = { tz: u?.tz, email: u?.profile?.email, standing, at: Date.now() };
    // re-inserted, so the Map's order is the order of fetching and its first entry the oldest
    profiles.delete(userId);
    profiles.set(userId, entry);
    if (profiles.size > maxProfiles) profiles.delete(profiles.keys().next().value!);
    return entry;
  }
  let directory: { at: number; users: Array<{ id: string; email?: string }> } | undefined;
  return {
    async everyone() {
      if (directory && Date.now() - directory.at < TTL_MS) return directory.users;
      const users: Array<{ id: string; email?: string }> = [];
      for await (const page of client.paginate('users.list', { limit: 200 })) {
        for (const u of (page as { members?: Array<{ id?: string; deleted?: boolean; is_bot?: boolean; profile?: { email?: string } }> }).members ?? []) {
          if (u.id && !u.deleted && !u.is_bot && u.id !== 'USLACKBOT') users.push({ id: u.id, email: u.profile?.email });
        }
      }
      directory = { at: Date.now(), users };
      return users;
    },
    async timeZone(userId) {
      // a time in UTC is better than no answer
      return profile(userId).then((p) => p.tz, () => undefined);
    },
    async standing(userId) {
      return profile(userId).then((p) => p.standing, () => 'unknown' as const);
    },
    async email(userId) {
      // errors propagate: a connector must not guess a login when Slack did not answer
      return (await profile(userId)).email;
    },
    async exists(userId) {
      try {
        await profile(userId);
        return true;
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') return false;
        throw err;
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
