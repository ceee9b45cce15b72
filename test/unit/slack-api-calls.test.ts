import { describe, expect, it } from 'vitest';
import { methodLabel } from '../../src/slack/api-calls.js';

describe('the Slack method label of /metrics', () => {
  const base = 'https://slack.com/api/';

  it('is the Web API method a request is for', () => {
    expect(methodLabel('https://slack.com/api/chat.postMessage', base)).toBe('chat.postMessage');
    expect(methodLabel('https://slack.com/api/apps.connections.open', base)).toBe('apps.connections.open');
    expect(methodLabel('https://slack.com/api/admin.users.session.reset?x=1', base)).toBe('admin.users.session.reset');
  });

  it('is `other` for anything that could make the set of label values unbounded', () => {
    // a file upload goes to a one-time URL outside the API
    expect(methodLabel('https://files.slack.com/upload/v1/CwABAAAAXApx', base)).toBe('other');
    expect(methodLabel('https://slack.com/api/', base)).toBe('other');
    expect(methodLabel('https://slack.com/api/chat.postMessage/extra', base)).toBe('other');
    expect(methodLabel(`https://slack.com/api/a.${'b'.repeat(80)}`, base)).toBe('other');
    expect(methodLabel('https://slack.com/api/U0MKT1', base)).toBe('other');
  });
});
