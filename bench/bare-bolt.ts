/**
 * The floor of the ack scenario (bench/ack.ts): a bare Bolt app, the bot's Bolt version and HTTP
 * receiver, verifying the same signing secret and answering `/access` with an immediate `ack()`
 * and nothing else. Started by the bench as its own process, like the bot.
 *   SLACK_SIGNING_SECRET=… SLACK_API_URL=… PORT=… node --import tsx bench/bare-bolt.ts
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', processBeforeResponse: false });
const app = new App({
  token: 'xoxb-fake',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/access', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.stdout.write('ready\n');
