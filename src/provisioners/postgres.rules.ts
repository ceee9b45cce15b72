import { PG_IDENTIFIER } from '../catalog/catalog.schema.js';
import { ProvisionerError } from './provisioner.js';

/** How a dataset names people's warehouse logins (its provisioner's settings). */
export interface LoginRule {
  template: string;
  /** Email domains whose addresses name a login by their local part (needed by {email_local}). */
  emailDomains?: string[];
}

/**
 * The warehouse login role for a person: the catalog's per-person override, or the template
 * filled with their email's local part (lower-cased, anything but [a-z0-9_] turned into _) or
 * Slack id. {email_local} is only used for addresses in the rule's email domains: the same local
 * part at another domain is someone else. The result must be a plain identifier; it is quoted
 * as well when used.
 */
export function loginRoleFor(rule: LoginRule, input: { slackId: string; email?: string; override?: string }): string {
  if (input.override) return checked(input.override);
  let local = '';
  if (rule.template.includes('{email_local}')) {
    if (!input.email) {
      throw new ProvisionerError(`no email is known for ${input.slackId}, so their login role cannot be named; add them under people: in the catalog`, true);
    }
    const at = input.email.lastIndexOf('@');
    const domain = input.email.slice(at + 1).toLowerCase();
    if (!(rule.emailDomains ?? []).some((d) => d.toLowerCase() === domain)) {
      throw new ProvisionerError(
        `the email of ${input.slackId} is not at one of the dataset's email_domains, so no login is named after it; an admin can name their login under people: in the catalog`,
        true,
      );
    }
    local = input.email.slice(0, at).toLowerCase().replace(/[^a-z0-9_]/g, '_');
  }
  const name = rule.template.replaceAll('{email_local}', local).replaceAll('{slack_id}', input.slackId.toLowerCase());
  return checked(/^[a-z_]/.test(name) ? name : `_${name}`);
}

/** The login a person would get, or undefined when none can be named for them. */
export function tryLoginRoleFor(rule: LoginRule, input: { slackId: string; email?: string; override?: string }): string | undefined {
  try {
    return loginRoleFor(rule, input);
  } catch {
    return undefined;
  }
}

/**
 * Other people whose login would be the same as `login`: by the same rule from their email, or
 * named by the catalog's `people:`. Two Slack users on one login would each hold the other's access.
 */
export function othersOnLogin(
  rule: LoginRule,
  login: string,
  slackId: string,
  everyone: Array<{ id: string; email?: string }>,
  overrides: Record<string, string | undefined>,
): string[] {
  const others = new Set<string>();
  for (const [id, role] of Object.entries(overrides)) if (id !== slackId && role === login) others.add(id);
  for (const u of everyone) {
    if (u.id === slackId || others.has(u.id)) continue;
    if (tryLoginRoleFor(rule, { slackId: u.id, email: u.email, override: overrides[u.id] }) === login) others.add(u.id);
  }
  return [...others];
}

/** Logins that more than one person would share, with who (for catalog:check). */
export function sharedLogins(
  rule: LoginRule,
  everyone: Array<{ id: string; email?: string }>,
  overrides: Record<string, string | undefined>,
): Map<string, string[]> {
  const byLogin = new Map<string, string[]>();
  const ids = new Set([...everyone.map((u) => u.id), ...Object.keys(overrides)]);
  const emails = new Map(everyone.map((u) => [u.id, u.email]));
  for (const id of ids) {
    const login = tryLoginRoleFor(rule, { slackId: id, email: emails.get(id), override: overrides[id] });
    if (login) byLogin.set(login, [...(byLogin.get(login) ?? []), id]);
  }
  return new Map([...byLogin].filter(([, people]) => people.length > 1));
}

function checked(name: string): string {
  if (!PG_IDENTIFIER.test(name)) throw new ProvisionerError(`"${name}" is not a valid login role name`, true);
  return name;
}
