import { describe, expect, it } from 'vitest';
import { loginRoleFor } from '../../src/provisioners/postgres.rules.js';
import { buildConnectors } from '../../src/provisioners/registry.js';
import { webhookSignature } from '../../src/provisioners/webhook.js';
import { createLogger } from '../../src/shared/logger.js';
import { testCatalog } from '../helpers/catalog.js';

describe('postgres login roles', () => {
  it('default to the lower-cased, sanitised local part of the email', () => {
    expect(loginRoleFor({ template: '{email_local}', slackId: 'U1', email: 'Mia.Schmidt-Ng@acme.test' })).toBe('mia_schmidt_ng');
  });
  it('follow a template and a per-person override', () => {
    expect(loginRoleFor({ template: 'mkt_{slack_id}', slackId: 'U0MKT1' })).toBe('mkt_u0mkt1');
    expect(loginRoleFor({ template: '{email_local}', slackId: 'U1', email: 'x@y.z', override: 'mia' })).toBe('mia');
  });
  it('never produce an unsafe identifier', () => {
    expect(loginRoleFor({ template: '{email_local}', slackId: 'U1', email: '1st@acme.test' })).toBe('_1st');
    expect(() => loginRoleFor({ template: '{email_local}', slackId: 'U1', email: `${'a'.repeat(70)}@x.y` })).toThrow(/not a valid login role/);
    expect(() => loginRoleFor({ template: '{email_local}', slackId: 'U1' })).toThrow(/no email is known/);
    expect(() => loginRoleFor({ template: '{email_local}', slackId: 'U1', email: 'x@y.z', override: 'Robert"; drop' })).toThrow(/not a valid login role/);
  });
});

describe('webhook signatures', () => {
  it('are HMAC-SHA256 over "<timestamp>.<body>" in hex, as documented', () => {
    // computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(webhookSignature('secret', 1700000000, '{"a":1}')).toBe('v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
  });
});

describe('building connectors', () => {
  it('names each dataset whose environment variable is missing, without values', () => {
    const catalog = testCatalog();
    catalog.datasets[0]!.provisioner = { type: 'postgres', connection_env: 'WAREHOUSE_URL', role: 'crm_read', login_role_template: '{email_local}' };
    catalog.datasets[1]!.provisioner = { type: 'webhook', url: 'https://it.example.com/h', secret_env: 'HOOK_SECRET' };
    expect(() => buildConnectors(catalog, {}, createLogger('silent'))).toThrow(
      /dataset "crm-contacts": environment variable WAREHOUSE_URL is not set\n\s+- dataset "campaign-metrics": environment variable HOOK_SECRET is not set/,
    );
    const connectors = buildConnectors(catalog, { WAREHOUSE_URL: 'postgres://x/y', HOOK_SECRET: 's' }, createLogger('silent'));
    expect(connectors.forDataset('crm-contacts').kind).toBe('postgres');
    expect(connectors.forDataset('web-analytics').kind).toBe('record');
    expect(connectors.forDataset('removed-dataset').kind).toBe('manual');
  });
});
