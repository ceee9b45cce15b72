/** Where someone stands in the workspace: a full member, a guest, deactivated or a bot ('unknown' if it could not be told). */
export type Standing = 'member' | 'guest' | 'deactivated' | 'bot' | 'unknown';

/** What the chat platform says about one person as of now. */
export interface PersonProfile {
  id: string;
  standing: Standing;
  tz?: string;
  email?: string;
}

/**
 * The one port for facts about people that live outside the bot (their chat profile). Implemented
 * for Slack by `src/slack/users.ts`; tests use a stand-in. No chat-library types here.
 */
export interface PeopleDirectory {
  /** The person's IANA time zone, or undefined when unknown. */
  timeZone(userId: string): Promise<string | undefined>;
  /** The user id with this email address, or undefined when nobody has it. */
  idByEmail(email: string): Promise<string | undefined>;
  /** False when there is no user with this id; throws when the directory does not answer. */
  exists(userId: string): Promise<boolean>;
  /** The email on the person's profile; throws when the directory does not answer. */
  email(userId: string): Promise<string | undefined>;
  standing(userId: string): Promise<Standing>;
  /** Every active person with their email (to find logins two would share). */
  everyone(): Promise<Array<{ id: string; email?: string }>>;
  /**
   * The platform announced a change to someone (a profile edited, a member turned guest or
   * deactivated, someone joined): from now on the directory answers with this.
   */
  changed(person: PersonProfile): void;
}
