/**
 * Exactly who the target system was told to give access to, recorded on the grant before its
 * first attempt, so the revoke takes away exactly that (never re-derived from a profile that may
 * have changed): the warehouse login for postgres, the email sent to a webhook (null if none).
 */
export interface GrantTarget {
  login?: string;
  email?: string | null;
}

/** Who a grant is for, as the bot knows them when access is first given. */
export interface Person {
  userId: string;
  /** From the person's Slack profile; undefined when the profile has none. */
  email?: string;
  /** Per-person override of the database login role, from the catalog's `people`. */
  postgresRole?: string;
}

/** What a connector needs to give or take access in the target system. */
export interface ProvisionTarget {
  grantId: string;
  datasetId: string;
  userId: string;
  /** The identity recorded on the grant (see `identify`): what grant and revoke both act on. */
  identity: GrantTarget;
  expiresAt: Date;
}

/**
 * The port to the real system that holds the data. grant and revoke must be idempotent:
 * granting what is held, or revoking what is not, succeeds. Errors carry messages without
 * credentials, since they go to the audit trail and to the owners.
 */
export interface Provisioner {
  readonly kind: 'postgres' | 'webhook' | 'record';
  /**
   * Names the person in the target system (a warehouse login, the email a webhook is sent).
   * Called once per grant, before its first attempt; the result is recorded on the grant and
   * used for every later grant and revoke attempt. Throws a permanent error when it cannot.
   */
  identify(person: Person): GrantTarget;
  grant(target: ProvisionTarget): Promise<void>;
  revoke(target: ProvisionTarget): Promise<void>;
  /**
   * Takes access away for many grants at once, where the target system allows it (one statement
   * for many logins). Says, for each grant, whether the access is gone (no `error`) or still held
   * or unknown (`error`): only a grant whose access is gone may be marked ended. Absent: the
   * connector revokes one grant at a time (`revoke`).
   */
  revokeMany?(targets: ProvisionTarget[]): Promise<RevokeResult[]>;
  /** Tests configuration and connection without granting anything. */
  check(): Promise<void>;
  close?(): Promise<void>;
}

/** What `revokeMany` says about one grant. */
export interface RevokeResult {
  grantId: string;
  /** Set when the access may still be held: the grant goes back to being revoked on its own, with retries. */
  error?: string;
}

/** Manual datasets have no connector: a person does the work and confirms in Slack. */
export type Connector = Provisioner | { kind: 'manual' };

export class ProvisionerError extends Error {
  override name = 'ProvisionerError';
  /** When true, retrying cannot help (e.g. the person has no login role); still retried a few times. */
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}
