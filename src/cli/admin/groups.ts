import type { Command } from 'commander';

/** The command groups of `npm run admin`, each with its one-line description. */
const GROUPS = {
  audit: 'The tamper-evident audit trail: verify it, export it, verify an export.',
  grants: 'Access grants: list them, revoke one, find and resolve the stuck ones.',
  requests: 'Access requests: list them.',
  messages: 'The outbox of messages to people: re-send the undelivered.',
  review: 'Access reviews: start one, report on one.',
  catalog: 'The catalog: validate it and test its connectors.',
} as const;

/** The group's command under `program`, made on first use, so each command file registers itself with one call. */
export function group(program: Command, name: keyof typeof GROUPS): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(GROUPS[name]);
}
