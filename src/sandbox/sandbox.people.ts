import type { CatalogFile } from '../catalog/catalog.schema.js';

/** A person in the sandbox workspace, with what Slack's users.info would say about them. */
export interface SandboxUser {
  id: string;
  name: string;
  email: string;
  tz: string;
  /** What this person is in the catalog: shown next to their name in the page. */
  role: string;
  guest?: boolean;
}

export const BOT_USER_ID = 'U0SANDBOXBOT';

// Friendly names for the ids used in catalog.example.yml; any other id gets a name from itself.
const KNOWN_NAMES: Record<string, string> = {
  U0ADMIN1: 'Ada (security admin)',
  U0OWNER1: 'Omar (data owner)',
  U0OWNER2: 'Olivia (data owner)',
  U0MKT1: 'Mia (marketing)',
};

const DEMO_MARKETERS: Array<Omit<SandboxUser, 'role'>> = [
  { id: 'U0MKT1', name: 'Mia (marketing)', email: 'mia@acme.test', tz: 'Europe/Berlin' },
  { id: 'U0MKT2', name: 'Max (marketing)', email: 'max@acme.test', tz: 'America/New_York' },
  { id: 'U0GUEST1', name: 'Gus (guest agency)', email: 'gus@agency.test', tz: 'Europe/London', guest: true },
];

/**
 * The sandbox's users directory, built from the catalog: its admins and owners (ids or emails)
 * plus a few demo marketers, each with an email so users.lookupByEmail and connectors work.
 */
export function sandboxPeople(file: CatalogFile): SandboxUser[] {
  const byKey = new Map<string, Omit<SandboxUser, 'role'>>();
  const roles = new Map<string, string[]>();
  const add = (person: string, role: string) => {
    const key = person.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, person.includes('@') ? fromEmail(person) : fromId(person));
    roles.set(key, [...(roles.get(key) ?? []), role]);
  };
  for (const admin of file.admins) add(admin, 'admin');
  for (const d of file.datasets) for (const owner of d.owners) add(owner, `owns ${d.id}`);
  const users = [...byKey.entries()].map(([key, u]) => ({ ...u, role: describeRoles(roles.get(key) ?? []) }));
  for (const m of DEMO_MARKETERS) {
    const existing = users.find((u) => u.id === m.id);
    if (existing) continue;
    users.push({ ...m, role: m.guest ? 'guest (may not see sensitive data)' : 'marketer' });
  }
  return users;
}

function describeRoles(roles: string[]): string {
  const admin = roles.includes('admin') ? ['admin'] : [];
  const owns = roles.filter((r) => r.startsWith('owns ')).map((r) => r.slice(5));
  return [...admin, ...(owns.length ? [`owns ${owns.join(', ')}`] : [])].join('; ');
}

function fromId(id: string): Omit<SandboxUser, 'role'> {
  const name = KNOWN_NAMES[id] ?? id.toLowerCase();
  return { id, name, email: `${id.toLowerCase()}@acme.test`, tz: 'Europe/Berlin' };
}

function fromEmail(email: string): Omit<SandboxUser, 'role'> {
  const local = email.split('@')[0]!.replace(/[^a-zA-Z0-9]/g, '');
  const id = `U0${local.toUpperCase().slice(0, 9)}`;
  const name = local.charAt(0).toUpperCase() + local.slice(1);
  return { id, name, email: email.toLowerCase(), tz: 'Europe/Berlin' };
}
