import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogError, parseCatalog, resolveCatalog } from '../../src/catalog/catalog.loader.js';

const good = `
admins: [U0ADMIN1]
datasets:
  - id: crm-contacts
    name: CRM contacts
    description: Customer contact records
    sensitivity: restricted
    owners: [U0OWNER1, Olaf@Acme.test]
    max_duration: 30d
    default_duration: 7d
`;

describe('catalog', () => {
  it('parses a valid catalog into minutes', () => {
    const c = parseCatalog(good);
    expect(c.datasets[0]).toMatchObject({ id: 'crm-contacts', max_duration: 43200, default_duration: 10080 });
  });

  it('the shipped example is valid', () => {
    expect(parseCatalog(readFileSync('catalog.example.yml', 'utf8')).datasets.length).toBeGreaterThan(1);
  });

  it('reports each mistake with file, dataset and key, and catches typos in keys', () => {
    const bad = good.replace('sensitivity: restricted', 'sensitivty: restricted');
    let message = '';
    try {
      parseCatalog(bad, 'my-catalog.yml');
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      message = (err as Error).message;
    }
    expect(message).toContain('my-catalog.yml');
    expect(message).toContain('dataset "crm-contacts": unknown key sensitivty');
    expect(message).toContain('dataset "crm-contacts", key sensitivity');
  });

  it('refuses a default longer than the maximum', () => {
    expect(() => parseCatalog(good.replace('default_duration: 7d', 'default_duration: 60d'))).toThrow(
      /dataset "crm-contacts", key default_duration: default_duration must not be longer than max_duration/,
    );
  });

  it('rejects duplicate ids, bad YAML and an empty file', () => {
    const dup = good + good.split('datasets:\n')[1];
    expect(() => parseCatalog(dup)).toThrow(/dataset ids must be unique/);
    expect(() => parseCatalog('datasets: [')).toThrow(/not valid YAML/);
    expect(() => parseCatalog('')).toThrow(/key datasets/);
  });

  it('resolves owner emails to Slack ids and warns about unknown ones', async () => {
    const warnings: string[] = [];
    const lookups: string[] = [];
    const catalog = await resolveCatalog(
      parseCatalog(good.replace('[U0OWNER1, Olaf@Acme.test]', '[U0OWNER1, Olaf@Acme.test, gone@acme.test]')),
      async (email) => {
        lookups.push(email);
        return email === 'olaf@acme.test' ? 'U0OLAF' : undefined;
      },
      (m) => warnings.push(m),
    );
    expect(catalog.datasets[0]!.owners).toEqual(['U0OWNER1', 'U0OLAF']);
    expect(lookups).toEqual(['olaf@acme.test', 'gone@acme.test']);
    expect(warnings[0]).toContain('gone@acme.test');
  });

  it('fails when a dataset would have nobody to approve it', async () => {
    const onlyEmail = good.replace('admins: [U0ADMIN1]', 'admins: []').replace('[U0OWNER1, Olaf@Acme.test]', '[gone@acme.test]');
    await expect(resolveCatalog(parseCatalog(onlyEmail), async () => undefined, () => {})).rejects.toThrow(/has no owner Slack knows/);
  });
});

describe('connectors in the catalog', () => {
  const withProvisioner = (block: string) =>
    good.replace('    default_duration: 7d\n', `    default_duration: 7d\n    provisioner:\n${block}`);

  it('reads postgres, webhook and manual connectors, defaulting to record', () => {
    expect(parseCatalog(good).datasets[0]!.provisioner).toEqual({ type: 'record' });
    const pg = parseCatalog(withProvisioner('      type: postgres\n      connection_env: WAREHOUSE_URL\n      role: crm_read\n      email_domains: [Acme.test]\n'));
    expect(pg.datasets[0]!.provisioner).toEqual({
      type: 'postgres',
      connection_env: 'WAREHOUSE_URL',
      role: 'crm_read',
      login_role_template: '{email_local}',
      email_domains: ['acme.test'],
    });
    const byId = parseCatalog(withProvisioner('      type: postgres\n      connection_env: W\n      role: crm_read\n      login_role_template: "mkt_{slack_id}"\n'));
    expect(byId.datasets[0]!.provisioner).toMatchObject({ login_role_template: 'mkt_{slack_id}' });
    const hook = parseCatalog(withProvisioner('      type: webhook\n      url: https://it.example.com/hooks\n      secret_env: HOOK_SECRET\n'));
    expect(hook.datasets[0]!.provisioner.type).toBe('webhook');
    expect(parseCatalog(withProvisioner('      type: manual\n')).datasets[0]!.provisioner.type).toBe('manual');
  });

  it('refuses secrets or unsafe names in the catalog', () => {
    expect(() => parseCatalog(withProvisioner('      type: postgres\n      connection_env: postgres://u:pw@db/x\n      role: crm_read\n'))).toThrow(
      /connection_env: must be the NAME of an environment variable/,
    );
    expect(() => parseCatalog(withProvisioner('      type: postgres\n      connection_env: W\n      role: "crm; drop table x"\n'))).toThrow(/role: must be a lower-case Postgres role name/);
    expect(() => parseCatalog(withProvisioner('      type: webhook\n      url: ftp://x\n      secret_env: S\n'))).toThrow(/url: must be an http\(s\) URL/);
    expect(() => parseCatalog(withProvisioner('      type: ldap\n'))).toThrow(/type must be one of postgres, webhook, manual, record/);
  });

  it('refuses a postgres dataset that could hand out server-level powers or shared logins', () => {
    const pg = (extra: string) => withProvisioner(`      type: postgres\n      connection_env: W\n${extra}`);
    expect(() => parseCatalog(pg('      role: pg_execute_server_program\n      email_domains: [acme.test]\n'))).toThrow(
      /dataset "crm-contacts", key provisioner.role: must not be a predefined pg_\* role/,
    );
    // without email_domains, mia@partner.example would get the login of mia@acme.test
    expect(() => parseCatalog(pg('      role: crm_read\n'))).toThrow(/dataset "crm-contacts", key provisioner.email_domains: email_domains is required with \{email_local\}/);
    const twice = good.replace('admins: [U0ADMIN1]', 'admins: [U0ADMIN1]\npeople:\n  U0MKT1: { postgres_role: mia }\n  U0MKT2: { postgres_role: mia }');
    expect(() => parseCatalog(twice)).toThrow(/key people.U0MKT2.postgres_role: mia is already the login of U0MKT1/);
  });

  it('reads per-person overrides keyed by Slack id', () => {
    const c = parseCatalog(good.replace('admins: [U0ADMIN1]', 'admins: [U0ADMIN1]\npeople:\n  U0MKT1: { postgres_role: mia }'));
    expect(c.people).toEqual({ U0MKT1: { postgres_role: 'mia' } });
    expect(() => parseCatalog(good.replace('admins: [U0ADMIN1]', 'admins: [U0ADMIN1]\npeople:\n  mia: { postgres_role: mia }'))).toThrow(
      /keys must be Slack user ids/,
    );
  });
});
