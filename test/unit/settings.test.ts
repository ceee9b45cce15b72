import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_SETTINGS } from '../../src/config/settings.js';

/**
 * src/config/settings.ts is the one definition of every setting; what people read about them (the
 * README's configuration table, .env.example) must say the same.
 */
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const envExample = readFileSync(new URL('.env.example', root), 'utf8');

const ticked = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);

/** The README's "Configuration" table: variable → the default it documents (undefined: none). */
function readmeTable(): Map<string, string | undefined> {
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  const table = new Map<string, string | undefined>();
  for (const row of rows) {
    const [names, defaults] = row.split('|').slice(1, 3).map((c) => c.trim()) as [string, string];
    const values = ticked(defaults);
    ticked(names).forEach((name, i) => table.set(name, values[i]));
  }
  return table;
}

/** .env.example's `NAME=value` lines (commented examples such as `# WAREHOUSE_URL=` excepted). */
function envExampleLines(): Map<string, string> {
  const lines = new Map<string, string>();
  for (const m of envExample.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) lines.set(m[1]!, m[2]!.trim());
  return lines;
}

const defaultText = (name: string) => {
  const d = ALL_SETTINGS[name]!.default;
  return d === undefined ? undefined : String(d);
};

describe('settings are defined once', () => {
  it('each setting parses to its own default when unset', () => {
    for (const [name, setting] of Object.entries(ALL_SETTINGS)) {
      if (setting.default === undefined) continue;
      expect(setting.schema.parse(undefined), name).toEqual(setting.default);
      expect(setting.description.length, name).toBeGreaterThan(0);
    }
  });

  it('the README documents every setting, with the same default, and no variable that does not exist', () => {
    const table = readmeTable();
    expect([...table.keys()].filter((name) => !(name in ALL_SETTINGS)), 'documented in the README but not a setting').toEqual([]);
    expect(Object.keys(ALL_SETTINGS).filter((name) => !table.has(name)), 'settings missing from the README').toEqual([]);
    for (const name of Object.keys(ALL_SETTINGS)) expect(table.get(name), `README default of ${name}`).toBe(defaultText(name));
  });

  it('.env.example lists every setting, with the same default, and no variable that does not exist', () => {
    const lines = envExampleLines();
    // read by compose.yaml only (the password of the Postgres it runs), never by the bot
    const composeOnly = new Set(['POSTGRES_PASSWORD']);
    expect([...lines.keys()].filter((name) => !(name in ALL_SETTINGS) && !composeOnly.has(name)), 'in .env.example but not a setting').toEqual([]);
    expect(Object.keys(ALL_SETTINGS).filter((name) => !lines.has(name)), 'settings missing from .env.example').toEqual([]);
    for (const name of Object.keys(ALL_SETTINGS)) expect(lines.get(name), `.env.example value of ${name}`).toBe(defaultText(name) ?? '');
  });
});
