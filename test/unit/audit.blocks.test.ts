import { describe, expect, it } from 'vitest';
import type { HistoryPage } from '../../src/modules/audit/audit.usecases.js';
import { auditButtonValue, buildAuditHistoryReply, parseAuditButtonValue } from '../../src/slack/blocks/audit.blocks.js';
import { SLACK_LIMITS } from '../../src/slack/blocks/format.js';
import { ACTION_IDS } from '../../src/slack/ids.js';

const event = (id: number, over: Partial<HistoryPage['events'][number]> = {}): HistoryPage['events'][number] => ({
  id,
  at: new Date('2026-03-02T09:00:00Z'),
  actorId: 'U0OWNER1',
  action: 'request.denied',
  subjectType: 'request',
  subjectId: `r-${id}`,
  details: { datasetId: 'crm-contacts', requesterId: 'U0MKT1' },
  seq: id,
  prevHash: 'x',
  hash: 'y',
  ...over,
});

describe('/access audit blocks', () => {
  it('a page stays within Slack limits and escapes what it shows, even with odd actors and actions', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      event(100 - i, { actorId: i % 2 ? 'cli:<@U0X> & co' : 'system', action: `custom.${'x'.repeat(300)}`, details: { datasetId: '<!channel>' } }),
    );
    const reply = buildAuditHistoryReply({ datasetId: 'crm-contacts' }, { events, page: 3, hasMore: true, nextBefore: 91 });
    expect(reply.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    const json = JSON.stringify(reply.blocks);
    expect(json).not.toContain('<@U0X>');
    expect(json).not.toContain('<!channel>');
    for (const b of reply.blocks!) if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const button = (reply.blocks!.at(-1) as { elements: Array<{ action_id: string; value: string }> }).elements[0]!;
    expect(button.action_id).toBe(ACTION_IDS.auditOlder);
    expect(parseAuditButtonValue(button.value)).toEqual({ subject: { datasetId: 'crm-contacts' }, before: 91, page: 4 });
  });

  it('names who acted readably: a person, the bot, an operator', () => {
    const reply = buildAuditHistoryReply({ personId: 'U0MKT1' }, { events: [event(3), event(2, { actorId: 'system' }), event(1, { actorId: 'cli:alice' })], page: 1, hasMore: false });
    const json = JSON.stringify(reply.blocks);
    expect(json).toContain('<@U0OWNER1> denied the request');
    expect(json).toContain('the bot denied');
    expect(json).toContain('`cli:alice`');
    expect(json).toContain('for <@U0MKT1>');
    expect(json).not.toContain(ACTION_IDS.auditOlder);
  });

  it('button values round-trip, and anything else is refused', () => {
    const value = auditButtonValue({ subject: { personId: 'U0MKT1' }, before: 42, page: 2 });
    expect(parseAuditButtonValue(value)).toEqual({ subject: { personId: 'U0MKT1' }, before: 42, page: 2 });
    for (const bad of ['', 'p:u0mkt1:1:2', 'd:CRM:1:2', 'x:U0MKT1:1:2', 'd:crm:1', 'd:crm:-1:2', `d:${'a'.repeat(65)}:1:2`, 'p:<@U0X>:1:2', 'p:U0MKT1:0:2', 'p:U0MKT1:42:1', 'p:U0MKT1:42:0']) {
      expect(parseAuditButtonValue(bad)).toBeUndefined();
    }
  });
});
