/**
 * Someone acting from outside Slack with the trust of the bot's own database: the admin CLI. An
 * operator is not checked against the catalog (whoever can run the CLI can change the database
 * directly), but is always named in the audit trail, as `cli:<operating-system user>`.
 */
export interface Operator {
  readonly operator: `cli:${string}`;
}

/** Who asks a use case to act: a Slack user id (checked against the catalog) or an operator. */
export type Actor = string | Operator;

export function isOperator(actor: Actor): actor is Operator {
  return typeof actor !== 'string';
}

/** The id the audit trail records for the actor. */
export function actorId(actor: Actor): string {
  return typeof actor === 'string' ? actor : actor.operator;
}
