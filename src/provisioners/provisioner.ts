/** What a connector needs to give or take access in the target system. */
export interface ProvisionTarget {
  grantId: string;
  datasetId: string;
  userId: string;
  userEmail?: string;
  /** Per-person override of the database login role, from the catalog's `people`. */
  postgresRole?: string;
  expiresAt: Date;
}

/**
 * The port to the real system that holds the data. grant and revoke must be idempotent:
 * granting what is held, or revoking what is not, succeeds. Errors carry messages without
 * credentials, since they go to the audit trail and to the owners.
 */
export interface Provisioner {
  readonly kind: 'postgres' | 'webhook' | 'record';
  grant(target: ProvisionTarget): Promise<void>;
  revoke(target: ProvisionTarget): Promise<void>;
  /** Tests configuration and connection without granting anything. */
  check(): Promise<void>;
  close?(): Promise<void>;
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
