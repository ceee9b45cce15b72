/** What a connector needs to give or take access in the target system. */
export interface ProvisionTarget {
  grantId: string;
  datasetId: string;
  userId: string;
  endsAt: Date;
}

/**
 * The port to the real system that holds the data. grant and revoke must be idempotent:
 * granting what is held, or revoking what is not, succeeds.
 */
export interface Provisioner {
  readonly kind: string;
  grant(target: ProvisionTarget): Promise<void>;
  revoke(target: ProvisionTarget): Promise<void>;
}
