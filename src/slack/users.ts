import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory, PersonProfile, Standing } from '../shared/people.ports.js';
import type { Logger } from '../shared/logger.js';
import { rateLimitedFor } from './api-calls.js';

// short: a deactivation or a change to guest must take effect soon (a user_change event, where subscribed, at once)
const TTL_MS = 5 * 60 * 1000;
/** How often a warm directory walks users.list again: before the profiles of the last walk expire. */
export const DIRECTORY_REFRESH_MS = 4 * 60 * 1000;
// a bound on the profiles kept (about 13 MB at 50,000 with the listed people): the least recently fetched
// go first. Above the workspace's size it must be: at 10,000, a 12,000-person workspace had its
// walks evict the very people asking next, and 1,683 users.info calls landed on the ack path of
// one ack bench (44 at 50,000)
const MAX_PROFILES = 50_000;
const PAGE_SIZE = 200;
// how long shutting down waits for a walk under way
const STOP_WAIT_MS = 2_000;
// how many times one page of a walk waits out a 429 before the walk gives up until the next tick
const MAX_PAGE_WAITS = 10;
// Slack's own user: listed by users.list, but nobody who could hold a login
const SLACKBOT = 'USLACKBOT';

/** The fields of a Slack user object the directory reads (users.info, users.list, user_change, team_join). */
export interface SlackUser {
  id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_app_user?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  tz?: string;
  profile?: { email?: string };
}

/** A page of users.list: its people and, while more are left, the cursor of the next page. */
interface UsersPage {
  members?: SlackUser[];
  response_metadata?: { next_cursor?: string };
}

/** A Slack user object as the directory keeps it. */
export function personOf(u: SlackUser & { id: string }): PersonProfile {
  const standing: Standing = u.deleted
    ? 'deactivated'
    : u.is_bot || u.is_app_user
      ? 'bot'
      : u.is_restricted || u.is_ultra_restricted
        ? 'guest'
        : 'member';
  return { id: u.id, standing, tz: u.tz, email: u.profile?.email };
}

/** Whether `everyone()` lists this person: active people, guests included, never bots. */
const listed = (p: PersonProfile) => (p.standing === 'member' || p.standing === 'guest') && p.id !== SLACKBOT;

export interface SlackUserDirectory extends PeopleDirectory {
  /**
   * Keeps the profile cache filled from users.list: one walk now and one every `everyMs`, never
   * two at once. A walk that fails is logged and tried again at the next tick; meanwhile lookups
   * ask users.info as usual. `warmed` resolves when the first walk has ended (filled or failed).
   */
  keepWarm(logger: Logger, everyMs?: number): { warmed: Promise<void>; stop(): Promise<void> };
}

export interface DirectoryOptions {
  /** At most this many profiles are kept. */
  maxProfiles?: number;
  /**
   * The client of the background walks that keep the cache warm. The bot gives one that hands a
   * 429 back at once: a client told to wait pauses all its calls, and the lookups of the Slack
   * listeners would wait too. A walk someone waits for (`everyone()`, a connector's login rule)
   * uses the main client, which waits out a 429 and tries again.
   */
  listClient?: WebClient;
  /** How many 429s one page of a background walk waits out before the walk gives up until the next tick. */
  maxPageWaits?: number;
}

interface Profile {
  tz?: string;
  email?: string;
  standing: Standing;
  /** When Slack said so (for an answer: when it was asked). */
  at: number;
}

/** The people directory, from Slack profiles (users.info, users.list, users.lookupByEmail, user_change events). */
export function slackUserDirectory(client: WebClient, options: DirectoryOptions = {}): SlackUserDirectory {
  const maxProfiles = options.maxProfiles ?? MAX_PROFILES;
  const listClient = options.listClient ?? client;
  const maxPageWaits = options.maxPageWaits ?? MAX_PAGE_WAITS;
  // in the order of fetching: the Map's first entry is the oldest
  const profiles = new Map<string, Profile>();
  /** Keeps what Slack said at `askedAt` about someone, unless what is kept is as new. */
  function remember(p: PersonProfile, askedAt: number): void {
    const known = profiles.get(p.id);
    // an event (or another answer) newer than the question came while the answer was on its way
    if (known && known.at >= askedAt) return;
    profiles.delete(p.id);
    profiles.set(p.id, { tz: p.tz, email: p.email, standing: p.standing, at: askedAt });
    if (profiles.size > maxProfiles) profiles.delete(profiles.keys().next().value!);
  }
  async function profile(userId: string): Promise<Profile> {
    const hit = profiles.get(userId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    const askedAt = Date.now();
    const res = await client.users.info({ user: userId });
    if (!res.user) return { standing: 'unknown', at: askedAt };
    remember(personOf({ ...res.user, id: userId }), askedAt);
    return profiles.get(userId) ?? { standing: 'unknown', at: askedAt };
  }

  // everyone(): the listed people of the last walk that reached the end, kept current by events
  let directory: { at: number; people: Map<string, string | undefined> } | undefined;
  // the people listed so far by the walk under way, kept current by events too
  let building: Map<string, string | undefined> | undefined;
  // the walk under way; `yielding`: a walk someone waits for came, so this one gives way at its next 429
  interface Walk {
    complete: boolean;
    yielding: boolean;
    done: Promise<Map<string, string | undefined> | undefined>;
  }
  let walking: Walk | undefined;
  let stopped = false;

  /**
   * Pages users.list into the profile cache, up to its bound. `complete`: pages on to the end
   * (for everyone()) past the bound, without caching more. Resolves to the listed people when
   * the walk reached the end.
   */
  async function walkNow(complete: boolean, gaveWay: () => boolean): Promise<Map<string, string | undefined> | undefined> {
    const startedAt = Date.now();
    const people = new Map<string, string | undefined>();
    building = people;
    let cached = 0;
    try {
      let cursor: string | undefined;
      do {
        const asked = await listPage(complete ? client : listClient, cursor, gaveWay);
        if (!asked) return undefined;
        const { page, askedAt } = asked;
        for (const u of page.members ?? []) {
          if (!u.id) continue;
          const person = personOf({ ...u, id: u.id });
          if (cached < maxProfiles) {
            remember(person, askedAt);
            cached++;
          }
          // a newer word from an event wins over the page
          const known = profiles.get(u.id);
          const current = known && known.at >= askedAt ? { ...person, ...known } : person;
          if (listed(current)) people.set(u.id, current.email);
          else people.delete(u.id);
        }
        if (stopped || (!complete && cached >= maxProfiles)) return undefined;
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
    } finally {
      building = undefined;
    }
    directory = { at: startedAt, people };
    return people;
  }

  // wakes a walk waiting out a 429 when the directory is stopped, or when someone waits for a whole walk
  let wake: (() => void) | undefined;

  /**
   * One page of users.list. users.list is a Tier 2 method (about 20 calls a minute): in a workspace
   * of more than a few thousand people a walk meets a 429. The background walks' client hands it
   * back at once (so that the listeners' lookups are never paused behind it); the walk then waits
   * as long as Slack says and asks for the same page again, instead of failing and starting over
   * from the first page at the next tick (which, past the tier's pages a minute, would never reach
   * the end). A walk someone waits for (everyone()) does not wait behind that: the background
   * walk gives way at once (`gaveWay`). Undefined when the directory was stopped meanwhile, or the
   * walk gave way; `askedAt` is when the page that came was asked for (what Slack said then, not
   * before a wait).
   */
  async function listPage(c: WebClient, cursor: string | undefined, gaveWay: () => boolean): Promise<{ page: UsersPage; askedAt: number } | undefined> {
    for (let waits = 0; ; waits++) {
      try {
        const askedAt = Date.now();
        return { page: (await c.users.list({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) })) as UsersPage, askedAt };
      } catch (err) {
        const wait = rateLimitedFor(err);
        if (wait === undefined || waits >= maxPageWaits) throw err;
        if (stopped || gaveWay()) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (stopped || gaveWay()) return undefined;
      }
    }
  }

  /** One walk at a time: joins the walk under way when it serves, else waits for it to end first. */
  function walk(complete: boolean): Promise<Map<string, string | undefined> | undefined> {
    if (walking && (walking.complete || !complete)) return walking.done;
    const before = walking?.done.catch(() => undefined);
    if (walking) {
      // a background walk: it ends at its next 429 (or now, if it is waiting one out) rather than
      // keep this one waiting; if it reaches the end first, its directory serves
      walking.yielding = true;
      wake?.();
    }
    const fresh = () => (directory && Date.now() - directory.at < TTL_MS ? directory.people : undefined);
    const entry: Walk = { complete, yielding: false, done: Promise.resolve(undefined) };
    entry.done = Promise.resolve(before).then(() => (complete && before && fresh()) || walkNow(complete, () => entry.yielding));
    const done = entry.done;
    walking = entry;
    const clear = () => {
      if (walking === entry) walking = undefined;
    };
    done.then(clear, clear);
    return done;
  }

  return {
    async everyone() {
      if (directory && Date.now() - directory.at < TTL_MS) return listOf(directory.people);
      const people = await walk(true);
      if (!people) throw new Error('the walk of the Slack directory was stopped');
      return listOf(people);
    },
    changed(person) {
      // Slack retries an event it did not see acknowledged and does not promise their order, so a
      // late event may say less than what is known: one that takes rights away (guest,
      // deactivated, bot) counts at once; one that says "member" only drops what is cached, and
      // the next lookup asks Slack (a stale "member" never undoes a newer "guest").
      if (person.standing === 'member') profiles.delete(person.id);
      else remember(person, Date.now());
      for (const people of [directory?.people, building]) {
        if (!people) continue;
        if (listed(person)) people.set(person.id, person.email);
        else people.delete(person.id);
      }
    },
    keepWarm(logger, everyMs = DIRECTORY_REFRESH_MS) {
      const log = logger.child({ module: 'slack-directory' });
      const tick = () => {
        // a walk under way (this one's or everyone()'s) is enough
        if (walking || stopped) return walking?.done.then(() => undefined, () => undefined) ?? Promise.resolve();
        const started = Date.now();
        return walk(false).then(
          () => log.debug({ profiles: profiles.size, ms: Date.now() - started }, 'Slack directory walked'),
          (err) => log.warn({ error: slackErrorCode(err) }, 'could not walk the Slack directory (users.list); lookups ask users.info until the next try'),
        );
      };
      const warmed = tick();
      const timer = setInterval(tick, everyMs);
      timer.unref();
      return {
        warmed,
        async stop() {
          stopped = true;
          clearInterval(timer);
          wake?.();
          // the walk under way ends after its current page; a Slack that hangs is not waited for long
          if (!walking) return;
          let late: NodeJS.Timeout | undefined;
          await Promise.race([walking.done.catch(() => undefined), new Promise((resolve) => (late = setTimeout(resolve, STOP_WAIT_MS)))]);
          clearTimeout(late);
        },
      };
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

const listOf = (people: Map<string, string | undefined>) => [...people].map(([id, email]) => ({ id, email }));

/** What went wrong, as a code: never the response body (profiles) nor the request (token). */
function slackErrorCode(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string } };
  if (e.data?.error) return e.data.error;
  const wait = rateLimitedFor(err);
  if (wait !== undefined) return `rate_limited (retry after ${wait / 1000}s)`;
  return e.code ?? 'unknown';
}
