import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogError, checkCatalog, parseCatalog, resolveCatalog } from '../../src/catalog/catalog.loader.js';

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

  it('names a duplicate dataset id, with both positions', () => {
    const dup = good + good.split('datasets:\n')[1];
    expect(() => parseCatalog(dup)).toThrow('dataset "crm-contacts" (#2), key id: "crm-contacts" is already the id of dataset #1; dataset ids must be unique');
  });

  it('suggests the closest key for an unknown one, wherever it is', () => {
    const message = (text: string) => {
      try {
        parseCatalog(text);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(message(good.replace('sensitivity: restricted', 'sensitivty: restricted'))).toContain('unknown key sensitivty (did you mean sensitivity?)');
    expect(message(good.replace('default_duration: 7d', 'default_duration: 7d\n    policy: { aproval_required: 2 }'))).toContain(
      'dataset "crm-contacts", key policy: unknown key aproval_required (did you mean approvals_required?)',
    );
    expect(message(good.replace('default_duration: 7d', 'default_duration: 7d\n    provisioner: { type: webhook, url: https://x.test, secret_evn: S }'))).toContain(
      'unknown key secret_evn (did you mean secret_env?)',
    );
    expect(message(`review: { reminder_hour_before: 2 }\n${good}`)).toContain('key review: unknown key reminder_hour_before (did you mean reminder_hours_before?)');
    expect(message(good.replace('default_duration: 7d', 'default_duration: 7d\n    colour: blue'))).toMatch(/unknown key colour$/m);
  });

  it('refuses max_total_duration shorter than max_duration, naming the dataset or tier and the key', () => {
    // restricted allows 30d in total by default: a 60d request could never be granted in full
    expect(() => parseCatalog(good.replace('max_duration: 30d', 'max_duration: 60d'))).toThrow(
      'dataset "crm-contacts", key max_duration: max_total_duration (30d, the built-in default for restricted) must not be shorter than max_duration (60d)',
    );
    expect(() => parseCatalog(good.replace('default_duration: 7d', 'default_duration: 7d\n    policy: { max_total_duration: 14d }'))).toThrow(
      'dataset "crm-contacts", key policy.max_total_duration: max_total_duration (14d) must not be shorter than max_duration (30d)',
    );
    expect(() => parseCatalog(`policies:\n  internal: { max_duration: 120d }\n${good}`)).toThrow(
      'key policies.internal.max_duration: max_total_duration (90d, the built-in default for internal) must not be shorter than max_duration (120d)',
    );
    expect(parseCatalog(good.replace('default_duration: 7d', 'default_duration: 7d\n    policy: { max_total_duration: 30d }')).datasets).toHaveLength(1);
  });

  it('refuses a review reminder that would not come after the digest', () => {
    expect(() => parseCatalog(`review: { deadline_days: 2, reminder_hours_before: 48 }\n${good}`)).toThrow(
      /key review.reminder_hours_before: must be less than the review's length \(deadline_days 2, that is 48 hours\)/,
    );
    expect(() => parseCatalog(`review: { deadline_days: 1 }\n${good}`)).toThrow(/key review.reminder_hours_before/); // the default 24h
    expect(parseCatalog(`review: { deadline_days: 2, reminder_hours_before: 24 }\n${good}`).review.reminder_hours_before).toBe(24);
  });

  it('resolves owner emails to Slack ids and warns about unknown ones', async () => {
    const warnings: string[] = [];
    const lookups: string[] = [];
    const catalog = await resolveCatalog(
      parseCatalog(good.replace('[U0OWNER1, Olaf@Acme.test]', '[U0OWNER1, Olaf@Acme.test, gone@acme.test]')),
      {
        idByEmail: async (email) => {
          lookups.push(email);
          return email === 'olaf@acme.test' ? 'U0OLAF' : undefined;
        },
        exists: async () => true,
      },
      (m) => warnings.push(m),
    );
    expect(catalog.datasets[0]!.owners).toEqual(['U0OWNER1', 'U0OLAF']);
    expect(lookups).toEqual(['olaf@acme.test', 'gone@acme.test']);
    expect(warnings[0]).toContain('gone@acme.test');
  });

  it('fails when a dataset would have nobody to approve it', async () => {
    const onlyEmail = good.replace('admins: [U0ADMIN1]', 'admins: []').replace('[U0OWNER1, Olaf@Acme.test]', '[gone@acme.test]');
    await expect(resolveCatalog(parseCatalog(onlyEmail), { idByEmail: async () => undefined, exists: async () => true }, () => {})).rejects.toThrow(/has no owner Slack knows/);
  });

  it('classifies what it finds: an unknown user id is an error, an unknown email a warning', async () => {
    const file = parseCatalog(good.replace('[U0OWNER1, Olaf@Acme.test]', '[U0OWNER1, U0TYPO, gone@acme.test]'));
    const { findings } = await checkCatalog(file, { idByEmail: async () => undefined, exists: async (id) => id !== 'U0TYPO' });
    expect(findings).toEqual([
      { level: 'error', message: 'dataset "crm-contacts" owners: no Slack user has the id U0TYPO' },
      { level: 'warning', message: 'dataset "crm-contacts" owners: no Slack user has the email gone@acme.test; skipped' },
    ]);
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
