import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { DigestView, RequestView } from '../../src/modules/notifications/notifications.ports.js';
import { buildDigestParts, buildReviewSummaryBlocks } from '../../src/slack/blocks/review.blocks.js';
import { datasetsReply, myAccessReply } from '../../src/slack/blocks/command.blocks.js';
import { escapeMrkdwn, fallbackTime, SLACK_LIMITS } from '../../src/slack/blocks/format.js';
import { buildDenyFormView, buildRequestFormView, compactDuration, datasetOptions } from '../../src/slack/blocks/modal.blocks.js';
import { approvalProgress, buildApprovalRequestBlocks, buildDecisionBlocks } from '../../src/slack/blocks/request.blocks.js';
import { buildHomeView } from '../../src/slack/blocks/home.blocks.js';
import { parseUser } from '../../src/slack/listeners/command.listener.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { parseDuration } from '../../src/shared/duration.js';
import { makeDataset } from '../helpers/catalog.js';

function view(overrides: Partial<RequestView> = {}): RequestView {
  return {
    id: '6f1c3a52-6a43-4f2e-9d0e-1a2b3c4d5e6f',
    kind: 'access',
    dataset: { id: 'crm-contacts', name: 'CRM contacts', sensitivity: 'restricted' },
    requesterId: 'U0MKT1',
    durationMinutes: 4320,
    reason: 'QA <!channel> & <https://evil.test|click>',
    status: 'pending',
    createdAt: new Date('2026-03-02T09:00:00Z'),
    decidedBy: null,
    decidedAt: null,
    denyReason: null,
    approverIds: ['U0OWNER1'],
    approvedBy: [],
    approvalsRequired: 1,
    escalatedAt: null,
    askedFirst: ['U0OWNER1'],
    grantEndsAt: null,
    grantStatus: null,
    ...overrides,
  };
}

function bigCatalog(n: number): Catalog {
  return {
    admins: [],
    datasets: Array.from({ length: n }, (_, i) =>
      makeDataset({
        id: `dataset-${i}`,
        name: `Dataset number ${i} with a rather long descriptive name to fill space`.slice(0, 75),
        description: 'x'.repeat(400),
        owners: ['U0OWNER1', 'U0OWNER2'],
        maxDurationMinutes: 60,
        defaultDurationMinutes: 60,
      }),
    ),
  };
}

/** Every text in a block tree, to check Slack's limits. */
function sectionTexts(blocks: any[]): string[] {
  return blocks.flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text)].filter((t): t is string => typeof t === 'string'));
}

describe('block builders', () => {
  it('escapes user text so it cannot mention or link', () => {
    const text = JSON.stringify(buildApprovalRequestBlocks(view()).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
    expect(escapeMrkdwn('a<b>&')).toBe('a&lt;b&gt;&amp;');
  });

  it('shows buttons carrying only the request id while pending, none once decided', () => {
    const pending = buildApprovalRequestBlocks(view()).blocks;
    const actions = pending.find((b) => b.type === 'actions') as any;
    expect(actions.elements.map((e: any) => [e.action_id, e.value])).toEqual([
      [ACTION_IDS.approve, view().id],
      [ACTION_IDS.deny, view().id],
    ]);
    const decided = buildApprovalRequestBlocks(view({ status: 'denied', decidedBy: 'U0OWNER1', denyReason: 'no' })).blocks;
    expect(decided.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(decided)).toContain('Denied* by <@U0OWNER1>');
  });

  it('keeps a very long reason within the section limit', () => {
    const blocks = buildApprovalRequestBlocks(view({ reason: 'y'.repeat(5000) })).blocks;
    for (const t of sectionTexts(blocks)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('tells the requester the end time in their zone', () => {
    const msg = buildDecisionBlocks(
      view({ status: 'approved', decidedBy: 'U0OWNER1', grantEndsAt: new Date('2026-03-05T09:00:00Z') }),
      'Asia/Tokyo',
    );
    expect(JSON.stringify(msg.blocks)).toContain('5 Mar 2026, 18:00 GMT+9');
  });

  it('falls back to UTC for an unknown time zone', () => {
    expect(fallbackTime(new Date('2026-03-05T09:00:00Z'), 'Mars/Olympus')).toContain('09:00 UTC');
  });

  it('fits a catalog of 500 datasets into one message', () => {
    const reply = datasetsReply(bigCatalog(500));
    expect(reply.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    for (const t of sectionTexts(reply.blocks!)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('keeps the form within modal limits even with a large catalog', () => {
    const form = buildRequestFormView(bigCatalog(250), { datasetId: 'dataset-3', reason: 'r'.repeat(2000) });
    expect(form.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(form.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
    const select = (form.blocks[0] as any).element;
    expect(select.type).toBe('external_select');
    expect(select.initial_option.value).toBe('dataset-3');
    const all = datasetOptions(bigCatalog(250), '');
    expect(all).toHaveLength(SLACK_LIMITS.staticSelectOptions);
    for (const o of all) expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(datasetOptions(bigCatalog(250), 'dataset-24').map((o) => o.value)).toEqual(['dataset-24', ...Array.from({ length: 10 }, (_, i) => `dataset-24${i}`)]);
    expect(buildDenyFormView(view()).title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
  });

  it('lists many grants within the message limits', () => {
    const active = Array.from({ length: 300 }, (_, i) => ({
      grantId: `g${i}`,
      datasetId: `dataset-${i}`,
      datasetName: 'A dataset with a long name '.repeat(2),
      endsAt: new Date('2026-03-05T09:00:00Z'),
    }));
    const reply = myAccessReply({ active, pending: [] }, 'Europe/Berlin');
    expect(reply.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    for (const t of sectionTexts(reply.blocks!)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });
});

describe('home tab and commands', () => {
  it('stays within 100 blocks for a heavy user and says how many more there are', () => {
    const active = Array.from({ length: 60 }, (_, i) => ({ grantId: `g${i}`, datasetId: `d${i}`, datasetName: `Dataset ${i}`, endsAt: new Date('2026-03-05T09:00:00Z') }));
    const pending = Array.from({ length: 30 }, (_, i) => view({ id: `r${i}` }));
    const awaitingMe = Array.from({ length: 30 }, (_, i) => view({ id: `a${i}`, approvalsRequired: 2, approvedBy: ['U0OWNER2'] }));
    const home = buildHomeView({ access: { active, pending }, awaitingMe, timeZone: 'UTC' });
    expect(home.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
    const text = JSON.stringify(home.blocks);
    expect(text).toMatch(/and \d+ more/);
    expect(text).toContain(ACTION_IDS.extendGrant);
    expect(text).toContain(ACTION_IDS.openRequestForm);
  });

  it('shows approval progress for multi-approver requests', () => {
    const msg = buildApprovalRequestBlocks(view({ approvalsRequired: 2, approvedBy: ['U0OLAF'] }));
    expect(JSON.stringify(msg.blocks)).toContain('1 of 2 approvals: <@U0OLAF>');
    expect(approvalProgress(view())).toBeUndefined();
  });

  it('reads users from escaped command text', () => {
    expect(parseUser('<@U0MKT1|mia>')).toBe('U0MKT1');
    expect(parseUser('<@W012ABC>')).toBe('W012ABC');
    expect(parseUser('U0MKT1')).toBe('U0MKT1');
    expect(parseUser('@mia')).toBeUndefined();
    expect(parseUser('<@U0MKT1|mia> x')).toBeUndefined();
  });
});

describe('durations in the form', () => {
  it('round-trip through their compact form', () => {
    for (const m of [30, 60, 90, 240, 1440, 2880, 10080, 43200, 129600]) expect(parseDuration(compactDuration(m))).toBe(m);
  });
});

describe('review digests', () => {
  function digest(n: number, decided = 0): DigestView {
    return {
      campaignId: '6f1c3a52-6a43-4f2e-9d0e-1a2b3c4d5e6f',
      ownerId: 'U0OWNER1',
      deadline: new Date('2026-03-07T09:00:00Z'),
      open: true,
      datasets: ['a-data', 'b-data', 'c-data'].map((id, d) => ({
        id,
        name: id,
        items: Array.from({ length: n }, (_, i) => ({
          id: `${d}-${i}`,
          userId: `U${d}${i}`,
          since: new Date('2026-03-01T09:00:00Z'),
          until: new Date('2026-03-20T09:00:00Z'),
          reason: 'r'.repeat(500),
          decision: i < decided ? ('keep' as const) : null,
          decidedBy: i < decided ? 'U0OWNER1' : null,
          automatic: false,
        })),
      })),
    };
  }

  it('splits a large digest into messages of at most 50 blocks, in a stable order', () => {
    const parts = buildDigestParts(digest(30));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
      for (const t of sectionTexts(p.blocks)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    const order = parts.flatMap((p) => p.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => e.value)));
    expect(order.filter((v) => v === '0-0' || v === '2-29')).toEqual(['0-0', '0-0', '2-29', '2-29']);
  });

  it('keeps the same parts as items are decided, so each message can be updated in place', () => {
    const before = buildDigestParts(digest(30));
    const after = buildDigestParts(digest(30, 12));
    expect(after.length).toBe(before.length);
    expect(after.map((p) => p.blocks.length)).toEqual(before.map((p) => p.blocks.length));
    expect(JSON.stringify(after[0]!.blocks)).toContain('Kept');
  });

  it('summarises a review with the trend', () => {
    const summary = buildReviewSummaryBlocks({
      campaignId: 'c',
      startedAt: new Date('2026-03-02T09:00:00Z'),
      total: 12,
      reviewed: 9,
      kept: 7,
      revoked: 2,
      autoRevoked: 2,
      autoKept: 1,
      silentOwners: ['U0OWNER2'],
      previousTotal: 15,
    });
    const text = JSON.stringify(summary.blocks);
    expect(text).toContain('*Reviewed by owners:* 9 (kept 7, revoked 2)');
    expect(text).toContain('*Revoked at the deadline by policy:* 2');
    expect(text).toContain('<@U0OWNER2>');
    expect(text).toContain('shrank: 12 grants under review, down from 15');
  });

  it('tells reviewers who answered part of their grants from those who answered none, in agreeing numbers', () => {
    const summary = buildReviewSummaryBlocks({
      campaignId: 'c',
      startedAt: new Date('2026-03-02T09:00:00Z'),
      total: 1,
      reviewed: 0,
      kept: 0,
      revoked: 0,
      autoRevoked: 0,
      autoKept: 1,
      silentOwners: ['U0OWNER2'],
      partialOwners: [{ userId: 'U0OWNER1', undecided: 1 }],
      previousTotal: 1,
    });
    const text = JSON.stringify(summary.blocks);
    expect(text).toContain('*Reviewers who answered none of their grants:* <@U0OWNER2>');
    expect(text).toContain('*Reviewers who answered part of their grants:* <@U0OWNER1> (1 grant left to the deadline)');
    expect(text).toContain('Standing access is steady at 1 grant.');
  });
});

describe('user text within Slack limits', () => {
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('a longest reason made of characters that escape keeps the whole summary within a section, cut between entities', () => {
    const [summary] = sectionTexts(buildApprovalRequestBlocks(view({ reason: '<&>'.repeat(333) })).blocks);
    expect(summary!.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const why = summary!.slice(summary!.indexOf('*Why:*'));
    expect(why).toMatch(/(&amp;|&lt;|&gt;)…$/);
  });

  it('a deny reason and a revoke note do not push the rest of the message out', () => {
    const denied = buildDecisionBlocks(view({ status: 'denied', decidedBy: 'U0OWNER1', denyReason: '&'.repeat(1000) }));
    for (const text of sectionTexts(denied.blocks)) {
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text).not.toMatch(/&a?m?p?…/);
    }
  });

  it('never cuts an emoji in half when shortening', () => {
    const options = datasetOptions({ admins: [], datasets: [makeDataset({ id: 'emoji', name: `${'a'.repeat(61)}${'😀'.repeat(10)}` })] }, '');
    expect(options[0]!.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(options[0]!.text.text).not.toMatch(LONE_SURROGATE);
    const [summary] = sectionTexts(buildApprovalRequestBlocks(view({ reason: `${'x'.repeat(1998)}😀😀` })).blocks);
    expect(summary).not.toMatch(LONE_SURROGATE);
  });
});
