import { hygieneReport } from '../../../modules/hygiene/figures.usecases.js';
import { hygieneReportReply } from '../../blocks/hygiene.blocks.js';
import { answerWithin } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access report`: admins see this week's hygiene figures against the previous four weeks. */
export async function reportCommand(ctx: CommandContext): Promise<void> {
  return answerWithin(ctx.ack, ctx.respond, async () => hygieneReportReply(await hygieneReport(ctx.deps, ctx.userId)), ctx.log, ctx.timeZone);
}
