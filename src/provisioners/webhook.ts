import { createHmac } from 'node:crypto';
import type { ProvisionerConfig } from '../catalog/catalog.schema.js';
import { ProvisionerError, type Provisioner, type ProvisionTarget } from './provisioner.js';

type WebhookConfig = Extract<ProvisionerConfig, { type: 'webhook' }>;

export const WEBHOOK_HEADERS = {
  timestamp: 'x-dab-timestamp',
  signature: 'x-dab-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/** v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>")), the scheme the README documents for receivers. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const TIMEOUT_MS = 10_000;

/** POSTs signed grant/revoke events to a URL of IT's; any 2xx is success, anything else is retried. */
export function webhookProvisioner(datasetId: string, config: WebhookConfig, secret: string, now: () => Date = () => new Date()): Provisioner {
  async function send(event: 'grant' | 'revoke' | 'ping', t?: ProvisionTarget) {
    const body = JSON.stringify(
      t
        ? { event, grant_id: t.grantId, dataset: datasetId, user: { slack_id: t.userId, email: t.userEmail ?? null }, expires_at: t.expiresAt.toISOString() }
        : { event, dataset: datasetId },
    );
    const timestamp = Math.floor(now().getTime() / 1000);
    let res: Response;
    try {
      res = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, body),
          [WEBHOOK_HEADERS.idempotencyKey]: t ? `${t.grantId}-${event}` : `ping-${timestamp}`,
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new ProvisionerError(`dataset "${datasetId}": webhook unreachable (${(err as Error).name})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) throw new ProvisionerError(`dataset "${datasetId}": webhook answered HTTP ${res.status}`);
  }
  return {
    kind: 'webhook',
    grant: (t) => send('grant', t),
    revoke: (t) => send('revoke', t),
    check: () => send('ping'),
  };
}
