import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const MIA = 'U0MKT1';
const OMAR = 'U0OWNER1'; // owns campaign-metrics in catalog.example.yml

/**
 * The sandbox with SANDBOX_SOCKET_MODE=1: the bot gets an app token, opens its WebSocket through
 * the stand-in's apps.connections.open, and the page's commands and clicks arrive as envelopes.
 */
describe('sandbox in Socket Mode', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ socketMode: true });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a command and an Approve click from the page go over the WebSocket; the bot serves no /slack/events', async () => {
    const people = await (await fetch(`${t.baseUrl}/sandbox/people`)).json();
    expect(people.transport).toBe('socket');
    // nothing reaches the bot over HTTP: its own server has no /slack/events in Socket Mode
    const http = await fetch(`http://127.0.0.1:${t.sandbox.port}/slack/events`, { method: 'POST', body: '{}' });
    expect(http.status).toBe(404);

    const sent = await t.page('/sandbox/command', { user: MIA, channel: `D${MIA}`, text: 'request campaign-metrics 1h socket mode check' });
    expect(sent).toMatchObject({ ok: true, status: 200 });
    // the command's answer came back in the envelope's ack and is shown only to Mia
    expect((await t.state(MIA)).messages.some((m) => m.ephemeralFor === MIA && /was sent to <@U0OWNER1>/.test(m.text))).toBe(true);

    const ask = await t.dm(OMAR, (m) => /needs your decision/.test(m.text));
    const approve = (ask.blocks as any[]).flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === 'request_approve');
    const clicked = await t.page('/sandbox/action', { user: OMAR, channel: ask.channel, ts: ask.ts, action: { type: 'button', action_id: 'request_approve', block_id: 'request_decision', value: approve.value } });
    expect(clicked).toMatchObject({ ok: true, status: 200 });
    await t.dm(MIA, (m) => /is ready/.test(m.text));
    const updated = await t.waitFor(() => t.sandbox.store.find(ask.channel, ask.ts)?.edited && t.sandbox.store.find(ask.channel, ask.ts), 'the approver message updated');
    expect(JSON.stringify(updated.blocks)).not.toMatch(/request_approve/);
  });

  it('a modal opened by a command, and its submission answered in the ack (field errors)', async () => {
    expect(t.sandbox.slack.transport).toBe('socket');
    await t.page('/sandbox/command', { user: 'U0MKT2', channel: 'DU0MKT2', text: '' });
    const form = await t.waitFor(() => t.sandbox.store.modals.get('U0MKT2')?.[0], 'the request form');
    const options = await t.page('/sandbox/options', { user: 'U0MKT2', viewId: form.id, actionId: 'form_dataset', blockId: 'form_dataset_block', query: 'web' });
    expect(options.options.map((o: { value: string }) => o.value)).toEqual(['web-analytics']);
    const values = {
      form_dataset_block: { form_dataset: { type: 'external_select', selected_option: options.options[0] } },
      form_duration_block: { form_duration: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '1 year' }, value: '365d' } } },
      form_reason_block: { form_reason: { type: 'plain_text_input', value: null } },
    };
    await t.page('/sandbox/submit', { user: 'U0MKT2', viewId: form.id, values });
    expect((await t.state('U0MKT2')).modals.at(-1)?.errors?.form_duration_block).toMatch(/longest|at most|maximum/i);
  });
});
