import { auditHistory } from '../../../modules/audit/audit.usecases.js';
import { AUDIT_USAGE, buildAuditHistoryReply, parseDatasetWord, type AuditSubject } from '../../blocks/audit.blocks.js';
import { answerWithin } from '../respond.js';
import { ackText, parseUser, type CommandContext } from './command.context.js';

/** `/access audit @person|<dataset>`: admins read recent history (checked by the use case, which audits the reading). */
export async function auditCommand(ctx: CommandContext): Promise<void> {
  const word = ctx.args[0];
  const personId = parseUser(word);
  const datasetId = !personId && word && !word.startsWith('<') ? parseDatasetWord(word) : undefined;
  if (ctx.args.length !== 1 || (!personId && !datasetId)) return ackText(ctx, AUDIT_USAGE);
  const subject: AuditSubject = personId ? { personId } : { datasetId: datasetId! };
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => buildAuditHistoryReply(subject, await auditHistory(ctx.deps, { actorId: ctx.userId, ...subject }), await ctx.timeZone()),
    ctx.log,
    ctx.timeZone,
  );
}
