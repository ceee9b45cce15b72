import { createHmac } from 'node:crypto';
import type { ProvisionerConfig } from '../catalog/catalog.schema.js';
import { ProvisionerError, type Provisioner, type ProvisionTarget } from './provisioner.js';

type WebhookConfig = Extract<ProvisionerConfig, { type: 'webhook' }>;

export const WEBHOOK_HEADERS = {
  timestamp: 'x-dab-timestamp',
  signature: 'x-dab-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/**
 * v2=hex(HMAC-SHA256(secret, "<timestamp>.<idempotency key>.<body>")), the scheme the README
 * documents for receivers: the key is signed too, so it cannot be swapped to replay a call.
 */
export function webhookSignature(secret: string, timestamp: number, idempotencyKey: string, body: string): string {
  return `v2=${createHmac('sha256', secret).update(`${timestamp}.${idempotencyKey}.${body}`).digest('hex')}`;
}

const TIMEOUT_MS = 10_000;

/**
 * POSTs signed grant/revoke events to a URL of IT's. Only a 2xx from that URL is success: a
 * redirect is not followed (it may lead to a sign-in page that answers 200). Anything else is retried.
 */
export function webhookProvisioner(datasetId: string, config: WebhookConfig, secret: string, now: () => Date = () => new Date()): Provisioner {
  async function send(event: 'grant' | 'revoke' | 'ping', t?: ProvisionTarget) {
    const body = JSON.stringify(
      t
        ? { event, grant_id: t.grantId, dataset: datasetId, user: { slack_id: t.userId, email: t.identity.email ?? null }, expires_at: t.expiresAt.toISOString() }
        : { event, dataset: datasetId },
    );
    const timestamp = Math.floor(now().getTime() / 1000);
    const idempotencyKey = t ? `${t.grantId}-${event}` : `ping-${timestamp}`;
    let res: Response;
    try {
      res = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, idempotencyKey, body),
          [WEBHOOK_HEADERS.idempotencyKey]: idempotencyKey,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new ProvisionerError(`dataset "${datasetId}": webhook unreachable (${(err as Error).name})`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 300 && res.status < 400) throw new ProvisionerError(`dataset "${datasetId}": webhook answered with a redirect (HTTP ${res.status}), which is not followed; set url to the receiver itself`);
    if (res.status < 200 || res.status >= 300 || res.type === 'opaqueredirect') throw new ProvisionerError(`dataset "${datasetId}": webhook answered HTTP ${res.status}`);
  }
  return {
    kind: 'webhook',
    // the email sent with the grant is recorded and sent again with its revoke, whatever Slack says later
    identify: (p) => ({ email: p.email ?? null }),
    grant: (t) => send('grant', t),
    revoke: (t) => send('revoke', t),
    check: () => send('ping'),
  };
}
