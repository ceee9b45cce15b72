import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackUserDirectory } from '../../src/slack/users.js';
import { FakeSlack } from '../helpers/fake-slack.js';

describe('the Slack profile cache', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await new FakeSlack().start();
    for (const id of ['U1', 'U2', 'U3', 'U4']) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  });
  afterAll(() => slack.stop());

  const lookups = (user: string) => slack.callsTo('users.info').filter((c) => c.args.user === user).length;

  it('answers from the cache, and keeps at most its bound, dropping the profile fetched longest ago', async () => {
    const people = slackUserDirectory(new WebClient('xoxb-fake', { slackApiUrl: slack.apiUrl }), 2);
    expect(await people.email('U1')).toBe('u1@acme.test');
    expect(await people.timeZone('U1')).toBe('Europe/Berlin');
    expect(lookups('U1')).toBe(1);

    await people.standing('U2');
    // a third profile: U1, fetched first, is dropped; U2 stays
    await people.standing('U3');
    await people.standing('U2');
    expect(lookups('U2')).toBe(1);
    expect(await people.email('U1')).toBe('u1@acme.test');
    expect(lookups('U1')).toBe(2);
    // U1 came back, so U2 (now the oldest) went
    await people.standing('U2');
    expect(lookups('U2')).toBe(2);
  });
});
