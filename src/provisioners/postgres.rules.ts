import { PG_IDENTIFIER } from '../catalog/catalog.schema.js';
import { ProvisionerError } from './provisioner.js';

/**
 * The warehouse login role for a person: the catalog's per-person override, or the template
 * filled with their email's local part (lower-cased, anything but [a-z0-9_] turned into _) or
 * Slack id. The result must be a plain identifier; it is quoted as well when used.
 */
export function loginRoleFor(input: { template: string; slackId: string; email?: string; override?: string }): string {
  if (input.override) return checked(input.override);
  const needsEmail = input.template.includes('{email_local}');
  if (needsEmail && !input.email) {
    throw new ProvisionerError(`no email is known for ${input.slackId}, so their login role cannot be named; add them under people: in the catalog`, true);
  }
  const local = (input.email ?? '').split('@')[0]!.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = input.template.replaceAll('{email_local}', local).replaceAll('{slack_id}', input.slackId.toLowerCase());
  return checked(/^[a-z_]/.test(name) ? name : `_${name}`);
}

function checked(name: string): string {
  if (!PG_IDENTIFIER.test(name)) throw new ProvisionerError(`"${name}" is not a valid login role name`, true);
  return name;
}
