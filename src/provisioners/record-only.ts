import type { Logger } from '../shared/logger.js';
import type { Provisioner } from './provisioner.js';

/**
 * Records decisions without touching any target system: the audit trail is the whole effect.
 * For trying the bot, and for datasets whose access is managed elsewhere (`type: record`).
 */
export function recordOnlyProvisioner(logger: Logger): Provisioner {
  return {
    kind: 'record',
    identify: () => ({}),
    async grant(t) {
      logger.info({ grantId: t.grantId, datasetId: t.datasetId }, 'record-only provisioner: grant recorded');
    },
    async revoke(t) {
      logger.info({ grantId: t.grantId, datasetId: t.datasetId }, 'record-only provisioner: revoke recorded');
    },
    async revokeMany(targets) {
      logger.info({ count: targets.length }, 'record-only provisioner: revokes recorded');
      return targets.map((t) => ({ grantId: t.grantId }));
    },
    async check() {},
  };
}
