import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accessRequests, grants, requestDrafts } from '../../src/shared/db/schema.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { makeDataset, testCatalog, USERS } from '../helpers/catalog.js';

// Free text (reasons, command arguments, form fields) with control characters or without bounds
// gets a friendly refusal before anything is stored or any view is opened.
let t: TestBot;
const logLines: string[] = [];

beforeAll(async () => {
  const catalog = testCatalog();
  catalog.datasets.push(makeDataset({ id: 'payments', name: 'Payments', sensitivity: 'confidential', owners: [USERS.owner1] }));
  catalog.handlingPolicy = { version: 'v1', text: 'Keep customer data in the warehouse.', reacknowledgeAfterDays: 365, tips: [] };
  // U0DRAFTOWNER: a member Slack knows (someone Slack cannot name is refused before any policy)
  t = await startTestBot({ catalog, logSink: (line) => logLines.push(line), slackUsers: { U0DRAFTOWNER: { tz: 'Europe/Berlin', email: 'draft.owner@acme.test' } } });
});
afterAll(async () => {
  await t?.stop();
});

const requestsOf = async (userId: string) => t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, userId));
const viewCalls = () => t.slack.calls.filter((c) => c.method.startsWith('views.') && c.method !== 'views.publish');
const errorLogs = () => logLines.filter((l) => JSON.parse(l).level >= 50);

async function activeGrant(userId: string, datasetId: string) {
  await t.command(userId, `request ${datasetId} 2d free text testing`);
  const [r] = await t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.datasetId, datasetId), eq(accessRequests.status, 'pending')));
  await t.click(USERS.owner1, ACTION_IDS.approve, r!.id);
  await t.slack.waitFor(() => t.slack.dmsTo(userId).find((c) => c.args.text.includes('is ready')), 'ready DM');
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r!.id));
  return g!;
}

describe('control characters in what people type', () => {
  it('a reason with a NUL is refused clearly in the reply; nothing is stored and nothing crashes', async () => {
    const before = errorLogs().length;
    const res = await t.command(USERS.marketer, 'request campaign-metrics 1d weekly\u0000numbers');
    expect(res.status).toBe(200);
    expect(res.body.text).toContain('invisible control characters');
    expect(await requestsOf(USERS.marketer)).toHaveLength(0);
    // not an unexpected database error: nothing was logged as one
    expect(errorLogs().slice(before)).toEqual([]);
    // and the bot goes on serving
    const ok = await t.command(USERS.marketer, 'request campaign-metrics 1d weekly numbers');
    expect(ok.body.text).toContain('was sent');
  });

  it.each([
    ['a dataset to cancel', 'cancel campaign\u0000metrics'],
    ['a dataset to release', 'release campaign-metrics\u0007'],
    ['an escape sequence in a reason', 'request campaign-metrics 1d \u001b[31mred\u001b[0m'],
    ['a right-to-left override that reverses what approvers read', 'request campaign-metrics 1d Q3 \u202enoitazilaunna'],
  ])('refuses %s the same way, before the database', async (_what, text) => {
    const before = errorLogs().length;
    const res = await t.command(USERS.marketer2, text);
    expect(res.body.text).toContain('invisible control characters');
    expect(errorLogs().slice(before)).toEqual([]);
  });

  it('a revoke reason with a NUL is refused and the grant stays active', async () => {
    const g = await activeGrant(USERS.stranger, 'campaign-metrics');
    const res = await t.command(USERS.owner1, `revoke <@${USERS.stranger}> campaign-metrics done\u0000here`);
    expect(res.body.text).toContain('invisible control characters');
    const [after] = await t.database.db.select().from(grants).where(eq(grants.id, g.id));
    expect(after!.status).toBe('active');
  });

  it('a revoke reason over its limit is refused, not silently cut', async () => {
    const g = await activeGrant(USERS.marketer2, 'campaign-metrics');
    const res = await t.command(USERS.owner1, `revoke <@${USERS.marketer2}> campaign-metrics ${'x'.repeat(600)}`);
    expect(res.body.text).toContain('under 500 characters');
    const [after] = await t.database.db.select().from(grants).where(eq(grants.id, g.id));
    expect(after!.status).toBe('active');
  });

  it('a form reason with control characters is shown next to the reason field', async () => {
    const res = await t.submitView({
      userId: 'U0FORMCTRL',
      callbackId: CALLBACK_IDS.requestForm,
      values: {
        [BLOCK_IDS.formDataset]: { [ACTION_IDS.formDataset]: { type: 'external_select', selected_option: { value: 'campaign-metrics' } } },
        [BLOCK_IDS.formDuration]: { [ACTION_IDS.formDuration]: { type: 'static_select', selected_option: null } },
        [BLOCK_IDS.formReason]: { [ACTION_IDS.formReason]: { type: 'plain_text_input', value: 'numbers\u0000for the deck' } },
      },
    });
    expect(res.body.response_action).toBe('errors');
    expect(res.body.errors[BLOCK_IDS.formReason]).toContain('invisible control characters');
    expect(await requestsOf('U0FORMCTRL')).toHaveLength(0);
  });

  it('a form reason shorter than the policy asks is shown next to the reason field, not the dataset', async () => {
    const res = await t.submitView({
      userId: 'U0FORMSHORT',
      callbackId: CALLBACK_IDS.requestForm,
      values: {
        [BLOCK_IDS.formDataset]: { [ACTION_IDS.formDataset]: { type: 'external_select', selected_option: { value: 'payments' } } },
        [BLOCK_IDS.formDuration]: { [ACTION_IDS.formDuration]: { type: 'static_select', selected_option: null } },
        [BLOCK_IDS.formReason]: { [ACTION_IDS.formReason]: { type: 'plain_text_input', value: 'deck' } },
      },
    });
    expect(res.body.response_action).toBe('errors');
    expect(Object.keys(res.body.errors)).toEqual([BLOCK_IDS.formReason]);
    expect(res.body.errors[BLOCK_IDS.formReason]).toBe('Please say a little more about why you need `payments` (at least 10 characters): your approvers decide on it.');
    expect(await requestsOf('U0FORMSHORT')).toHaveLength(0);
  });

  it('a deny reason with a NUL is shown on the deny form; the request stays pending', async () => {
    await t.command(USERS.admin, 'request campaign-metrics 1d numbers for the board');
    const [r] = await requestsOf(USERS.admin);
    const res = await t.submitView({
      userId: USERS.owner1,
      callbackId: CALLBACK_IDS.denyForm,
      privateMetadata: r!.id,
      values: { [BLOCK_IDS.denyReason]: { [ACTION_IDS.denyReason]: { type: 'plain_text_input', value: 'no\u0000thanks' } } },
    });
    expect(res.body.response_action).toBe('errors');
    expect(res.body.errors[BLOCK_IDS.denyReason]).toContain('invisible control characters');
    const [after] = await requestsOf(USERS.admin);
    expect(after!.status).toBe('pending');
  });

  it('an extension duration with control characters is shown on the extend form', async () => {
    const g = await activeGrant(USERS.owner2, 'campaign-metrics');
    const res = await t.submitView({
      userId: USERS.owner2,
      callbackId: CALLBACK_IDS.extendForm,
      privateMetadata: g.id,
      values: {
        [BLOCK_IDS.extendDuration]: { [ACTION_IDS.extendDuration]: { type: 'plain_text_input', value: '1d\u0000' } },
        [BLOCK_IDS.extendReason]: { [ACTION_IDS.extendReason]: { type: 'plain_text_input', value: null } },
      },
    });
    expect(res.body.response_action).toBe('errors');
    expect(res.body.errors[BLOCK_IDS.extendDuration]).toContain('invisible control characters');
  });

  it('a whole command over its bound is refused without being parsed', async () => {
    const res = await t.command(USERS.marketer2, `request campaign-metrics 1d ${'y'.repeat(5000)}`);
    expect(res.body.text).toContain('too long');
  });
});

describe('long text never makes a view Slack would refuse', () => {
  it('a 3,500-character reason behind the policy gets a clear answer; no view is opened, nothing held', async () => {
    const views = viewCalls().length;
    const res = await t.command(USERS.marketer, `request payments 1d ${'because '.repeat(440)}`);
    expect(res.status).toBe(200);
    expect(res.body.text).toContain('under 1000 characters');
    expect(viewCalls()).toHaveLength(views);
    expect(await t.database.db.select().from(requestDrafts).where(eq(requestDrafts.userId, USERS.marketer))).toHaveLength(0);
    expect((await requestsOf(USERS.marketer)).filter((r) => r.datasetId === 'payments')).toHaveLength(0);
  });

  it('the policy modal carries a short id; the reason stays on the server and is sent once accepted', async () => {
    const reason = `${'"quoted\\\\ '.repeat(99)}end`; // escapes to far more in JSON than it is long
    expect(reason.length).toBeLessThanOrEqual(1000);
    const opened = t.slack.callsTo('views.open').length; // policy modals other tests opened come before
    await t.command(USERS.marketer2, `request payments 1d ${reason}`);
    const modal = await t.slack.waitFor(
      () => t.slack.callsTo('views.open').slice(opened).find((c) => c.args.view.callback_id === CALLBACK_IDS.ackForm && JSON.stringify(c.args).includes('Keep customer data')),
      'policy modal',
    );
    const metadata: string = modal.args.view.private_metadata;
    expect(metadata.length).toBeLessThanOrEqual(64);
    expect(metadata).not.toContain('quoted');
    const res = await t.submitView({
      userId: USERS.marketer2,
      callbackId: CALLBACK_IDS.ackForm,
      privateMetadata: metadata,
      values: { [BLOCK_IDS.ackCheckbox]: { [ACTION_IDS.ackCheckbox]: { type: 'checkboxes', selected_options: [{ value: 'yes' }] } } },
    });
    expect(res.body).toEqual({ response_action: 'clear' });
    const [request] = (await requestsOf(USERS.marketer2)).filter((r) => r.datasetId === 'payments');
    expect(request!.reason).toBe(reason.trim());
    // the draft is gone once the request is sent, and someone else's click cannot use its id
    expect(await t.database.db.select().from(requestDrafts).where(eq(requestDrafts.id, metadata))).toHaveLength(0);
  });

  it('a draft id belongs to its requester only', async () => {
    const before = t.slack.callsTo('views.open').length;
    await t.command('U0DRAFTOWNER', 'request payments 1d reconciliation of refunds');
    const modal = await t.slack.waitFor(() => t.slack.callsTo('views.open').length > before && t.slack.callsTo('views.open').at(-1), 'policy modal');
    expect(modal.args.view.callback_id).toBe(CALLBACK_IDS.ackForm);
    const res = await t.submitView({
      userId: USERS.owner2,
      callbackId: CALLBACK_IDS.ackForm,
      privateMetadata: modal.args.view.private_metadata,
      values: { [BLOCK_IDS.ackCheckbox]: { [ACTION_IDS.ackCheckbox]: { type: 'checkboxes', selected_options: [{ value: 'yes' }] } } },
    });
    expect(res.body.response_action).toBe('errors');
    expect((await requestsOf(USERS.owner2)).filter((r) => r.datasetId === 'payments')).toHaveLength(0);
  });
});
