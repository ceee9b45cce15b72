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
