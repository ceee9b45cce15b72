import { describe, expect, it } from 'vitest';
import { loginRoleFor, othersOnLogin, sharedLogins } from '../../src/provisioners/postgres.rules.js';
import { buildConnectors } from '../../src/provisioners/registry.js';
import { webhookSignature } from '../../src/provisioners/webhook.js';
import { createLogger } from '../../src/shared/logger.js';
import { testCatalog } from '../helpers/catalog.js';

const acme = { template: '{email_local}', emailDomains: ['acme.test'] };

describe('postgres login roles', () => {
  it('default to the lower-cased, sanitised local part of the email', () => {
    expect(loginRoleFor(acme, { slackId: 'U1', email: 'Mia.Schmidt-Ng@acme.test' })).toBe('mia_schmidt_ng');
    expect(loginRoleFor(acme, { slackId: 'U1', email: 'mia@ACME.test' })).toBe('mia');
  });
  it('follow a template and a per-person override', () => {
    expect(loginRoleFor({ template: 'mkt_{slack_id}' }, { slackId: 'U0MKT1' })).toBe('mkt_u0mkt1');
    expect(loginRoleFor(acme, { slackId: 'U1', email: 'x@y.z', override: 'mia' })).toBe('mia');
  });
  it('never produce an unsafe identifier', () => {
    expect(loginRoleFor(acme, { slackId: 'U1', email: '1st@acme.test' })).toBe('_1st');
    expect(() => loginRoleFor(acme, { slackId: 'U1', email: `${'a'.repeat(70)}@acme.test` })).toThrow(/not a valid login role/);
    expect(() => loginRoleFor(acme, { slackId: 'U1' })).toThrow(/no email is known/);
    expect(() => loginRoleFor(acme, { slackId: 'U1', email: 'x@y.z', override: 'Robert"; drop' })).toThrow(/not a valid login role/);
  });
  it('are not named after an address at another domain: the same local part there is someone else', () => {
    expect(() => loginRoleFor(acme, { slackId: 'U1', email: 'mia@partner.example' })).toThrow(/not at one of the dataset's email_domains.*people:/);
    expect(() => loginRoleFor({ template: '{email_local}' }, { slackId: 'U1', email: 'mia@acme.test' })).toThrow(/email_domains/);
    expect(() => loginRoleFor(acme, { slackId: 'U1', email: 'mia@acme.test.evil.example' })).toThrow(/email_domains/);
  });
  it('find the other people a login would be shared with', () => {
    const everyone = [
      { id: 'U1', email: "o'brien@acme.test" },
      { id: 'U2', email: 'o.brien@acme.test' },
      { id: 'U3', email: 'mia@acme.test' },
      { id: 'U4', email: 'mia@partner.example' },
    ];
    expect(othersOnLogin(acme, 'o_brien', 'U1', everyone, {})).toEqual(['U2']);
    expect(othersOnLogin(acme, 'mia', 'U3', everyone, {})).toEqual([]);
    expect(othersOnLogin(acme, 'mia', 'U3', everyone, { U9: 'mia' })).toEqual(['U9']);
    // an admin fixed it: U2 has their own login
    expect(othersOnLogin(acme, 'o_brien', 'U1', everyone, { U2: 'obrien2' })).toEqual([]);
    expect(sharedLogins(acme, everyone, {})).toEqual(new Map([['o_brien', ['U1', 'U2']]]));
  });
});

describe('webhook signatures', () => {
  it('are HMAC-SHA256 over "<timestamp>.<idempotency key>.<body>" in hex, as documented', () => {
    // computed independently: printf '1700000000.g1-grant.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(webhookSignature('secret', 1700000000, 'g1-grant', '{"a":1}')).toBe('v2=5b163335300e22e7013a504a389ac5f2d35e984ab7467538ec40caef3db79e3b');
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
