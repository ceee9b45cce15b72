import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests, auditEvents, policyAcknowledgements } from '../../src/shared/db/schema.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { makeDataset, testCatalog, USERS } from '../helpers/catalog.js';
import { OffsetClock } from '../helpers/warehouse.js';

let clock: OffsetClock;
let t: TestBot;

// each test has its own bot, database, queues, clock and policy
beforeEach(async () => {
  clock = new OffsetClock();
  const catalog = testCatalog();
  catalog.datasets.push(makeDataset({ id: 'payments', name: 'Payments', sensitivity: 'confidential', owners: [USERS.owner1] }));
  catalog.handlingPolicy = {
    version: '2026-01',
    text: 'Keep customer data in the warehouse. Never paste it into Slack or email.',
    link: 'https://intranet.acme.test/data-policy',
    reacknowledgeAfterDays: 365,
    tips: [],
  };
  t = await startTestBot({ catalog, clock });
});
afterEach(async () => {
  await t?.stop();
});

const ackModals = () => t.slack.callsTo('views.open').filter((c) => c.args.view.callback_id === CALLBACK_IDS.ackForm);
const requestsOf = async (userId: string) => t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, userId));

function submitAck(userId: string, metadata: string, checked: boolean) {
  return t.submitView({
    userId,
    callbackId: CALLBACK_IDS.ackForm,
    privateMetadata: metadata,
    values: {
      [BLOCK_IDS.ackCheckbox]: { [ACTION_IDS.ackCheckbox]: { type: 'checkboxes', selected_options: checked ? [{ value: 'yes' }] : [] } },
    },
  });
}

/** Sends a request that meets the gate, and accepts the policy modal it opens. */
async function requestAndAcknowledge(userId: string, command: string) {
  const before = ackModals().length;
  await t.command(userId, command);
  const modal = await t.slack.waitFor(() => ackModals().length > before && ackModals().at(-1), 'policy modal');
  expect((await submitAck(userId, modal.args.view.private_metadata, true)).body).toEqual({ response_action: 'clear' });
}

describe('data-handling acknowledgement', () => {
  it('shows the policy before a first restricted request; nothing is requested until it is accepted', async () => {
    const res = await t.command(USERS.marketer, 'request crm-contacts 2d churn analysis for Q1');
    expect(res.status).toBe(200);
    const modal = await t.slack.waitFor(() => ackModals()[0], 'policy modal');
    const text = JSON.stringify(modal.args.view.blocks);
    expect(text).toContain('Never paste it into Slack');
    expect(text).toContain('I have read and will follow this');
    expect(text).toContain('intranet.acme.test/data-policy');
    expect(await requestsOf(USERS.marketer)).toHaveLength(0);

    const unchecked = await submitAck(USERS.marketer, modal.args.view.private_metadata, false);
    expect(unchecked.body.response_action).toBe('errors');
    expect(await requestsOf(USERS.marketer)).toHaveLength(0);

    const accepted = await submitAck(USERS.marketer, modal.args.view.private_metadata, true);
    expect(accepted.body).toEqual({ response_action: 'clear' });
    const [request] = await requestsOf(USERS.marketer);
    expect(request).toMatchObject({ datasetId: 'crm-contacts', durationMinutes: 2 * 24 * 60, reason: 'churn analysis for Q1' });
    const [ackRow] = await t.database.db.select().from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, USERS.marketer));
    expect(ackRow!.version).toBe('2026-01');
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'policy.acknowledged'));
    expect(audit.map((a) => a.actorId)).toEqual([USERS.marketer]);
  });

  it('does not ask again for the same version, nor for internal data', async () => {
    await requestAndAcknowledge(USERS.marketer, 'request crm-contacts 2d churn analysis for Q1');
    const before = ackModals().length;
    const res = await t.command(USERS.marketer, 'request payments 1d refund reconciliation');
    expect(res.body.text).toContain('Payments');
    await t.command(USERS.marketer2, 'request campaign-metrics 1d');
    expect(ackModals()).toHaveLength(before);
    expect((await requestsOf(USERS.marketer2)).length).toBe(1);
  });

  it('refuses a request that skips the gate (server-side check)', async () => {
    const res = await t.submitView({
      userId: USERS.stranger,
      callbackId: CALLBACK_IDS.requestForm,
      values: {
        [BLOCK_IDS.formDataset]: { [ACTION_IDS.formDataset]: { type: 'external_select', selected_option: { value: 'payments' } } },
        [BLOCK_IDS.formDuration]: { [ACTION_IDS.formDuration]: { type: 'static_select', selected_option: null } },
        [BLOCK_IDS.formReason]: { [ACTION_IDS.formReason]: { type: 'plain_text_input', value: 'refund reconciliation' } },
      },
    });
    // the form answers by pushing the policy instead of creating the request
    expect(res.body.response_action).toBe('push');
    expect(res.body.view.callback_id).toBe(CALLBACK_IDS.ackForm);
    expect(await requestsOf(USERS.stranger)).toHaveLength(0);
  });

  it('asks again when the policy changes, and after the re-acknowledgement period', async () => {
    await requestAndAcknowledge(USERS.marketer, 'request payments 1d refund reconciliation');
    t.bot.deps.catalog.handlingPolicy!.version = '2026-02';
    await t.command(USERS.marketer, 'cancel payments');
    const before = ackModals().length;
    await t.command(USERS.marketer, 'request payments 1d refund reconciliation');
    await t.slack.waitFor(() => ackModals().length > before && ackModals().at(-1), 'modal after policy change');
    const modal = ackModals().at(-1)!;
    expect(JSON.stringify(modal.args.view.blocks)).toContain('Policy version 2026-02');
    await submitAck(USERS.marketer, modal.args.view.private_metadata, true);
    const versions = await t.database.db.select().from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, USERS.marketer));
    expect(versions.map((v) => v.version).sort()).toEqual(['2026-01', '2026-02']);
    await t.command(USERS.marketer, 'cancel payments');

    clock.advance(366 * 24 * 3600_000);
    const again = ackModals().length;
    await t.command(USERS.marketer, 'request payments 1d refund reconciliation');
    await t.slack.waitFor(() => ackModals().length > again, 'modal after a year');
  });
});
