/**
 * The floor of the ack scenario (bench/ack.ts): a bare Bolt app, the bot's Bolt version and HTTP
 * receiver, verifying the same signing secret and answering `/access` with an immediate `ack()`
 * and nothing else. Started by the bench as its own process, like the bot. With BARE_BOLT_LEAN=1
 * it is configured as the bot configures Bolt (no conversation store, see src/slack/app.ts): a
 * second floor, for information, of what Bolt itself costs at its leanest. With BARE_BOLT_ANSWER=help
 * it answers with the bot's own `/access help` text instead of an empty acknowledgement (Bolt's
 * defaults otherwise): for information, what Bolt costs to send that answer.
 *   SLACK_SIGNING_SECRET=… SLACK_API_URL=… PORT=… node --import tsx bench/bare-bolt.ts
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', processBeforeResponse: false });
const app = new App({
  token: 'xoxb-fake',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  ...(process.env.BARE_BOLT_LEAN ? { convoStore: false } : {}),
});
// the bot's usage text, as the bot answers `/access help` (src/slack/listeners/commands/help.command.ts)
const answer = process.env.BARE_BOLT_ANSWER === 'help' ? { response_type: 'ephemeral' as const, text: (await import('../src/slack/blocks/command.blocks.js')).HELP_TEXT } : undefined;
app.command('/access', async ({ ack }) => {
  await ack(answer);
});
await app.start(Number(process.env.PORT));
process.stdout.write('ready\n');
