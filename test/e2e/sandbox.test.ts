import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxSlack } from '../../src/sandbox/sandbox.interactions.js';
import { sandboxPeople } from '../../src/sandbox/sandbox.people.js';
import { sandboxWanted } from '../../src/sandbox/sandbox.start.js';
import { SandboxStore } from '../../src/sandbox/sandbox.store.js';
import { newSigningSecret } from '../../src/sandbox/sandbox.signing.js';
import { readCatalogFile } from '../../src/catalog/catalog.loader.js';
import { EXAMPLE_CATALOG } from '../../src/sandbox/sandbox.start.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const MIA = 'U0MKT1';
const OMAR = 'U0OWNER1'; // owns campaign-metrics in catalog.example.yml
const ADA = 'U0ADMIN1';

describe('sandbox: which start-up', () => {
  it('runs only with no Slack variable set, and names what is missing for a partial configuration', () => {
    expect(sandboxWanted({})).toEqual({ sandbox: true });
    expect(sandboxWanted({ SLACK_BOT_TOKEN: ' ', SLACK_APP_TOKEN: '' })).toEqual({ sandbox: true });
    expect(sandboxWanted({ SLACK_BOT_TOKEN: 'xoxb-x' })).toEqual({ sandbox: false });
    const partial = sandboxWanted({ SLACK_SIGNING_SECRET: 'a'.repeat(32) });
    expect(partial.sandbox).toBe(false);
    expect(partial.error).toMatch(/SLACK_BOT_TOKEN is required, since SLACK_SIGNING_SECRET is set/);
  });
});

describe('sandbox: what the stand-in sends', () => {
  it('signs every kind of request as Slack does, verifiable with the signing secret', async () => {
    const received: Array<{ body: string; headers: Record<string, string | string[] | undefined> }> = [];
    const capture = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
    const secret = newSigningSecret();
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    const store = new SandboxStore(sandboxPeople(await readCatalogFile(EXAMPLE_CATALOG)));
    const url = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/slack/events`;
    const slack = new SandboxSlack(store, { eventsUrl: () => url, signingSecret: secret, publicUrl: () => 'http://127.0.0.1:1' });
    try {
      await slack.command(MIA, `D${MIA}`, 'help');
      await slack.postMessage(MIA, 'C0SANDBOX', 'hello');
      await slack.openHome(MIA);
      expect(received).toHaveLength(3);
      for (const r of received) {
        const headers = { 'x-slack-signature': String(r.headers['x-slack-signature']), 'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']) };
        expect(isValidSlackRequest({ signingSecret: secret, body: r.body, headers })).toBe(true);
        expect(isValidSlackRequest({ signingSecret: newSigningSecret(), body: r.body, headers })).toBe(false);
      }
      expect(received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(new URLSearchParams(received[0]!.body).get('command')).toBe('/access');
      expect(JSON.parse(received[1]!.body).event).toMatchObject({ type: 'message', channel: 'C0SANDBOX', user: MIA, text: 'hello' });
      expect(JSON.parse(received[2]!.body).event).toMatchObject({ type: 'app_home_opened', user: MIA, tab: 'home' });
    } finally {
      capture.close();
    }
  });
});

describe('sandbox: the real bot behind the stand-in', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the page, which says it is a local sandbox, on loopback', async () => {
    const html = await (await fetch(`${t.baseUrl}/`)).text();
    expect(html).toMatch(/Local sandbox/);
    expect(t.sandbox.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    const people = await (await fetch(`${t.baseUrl}/sandbox/people`)).json();
    expect(people.users.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([MIA, OMAR, ADA, 'U0OLAF']));
  });

  it('request → approve → access ready; the approver’s message is updated in place without buttons', async () => {
    const sent = await t.page('/sandbox/command', { user: MIA, channel: `D${MIA}`, text: 'request campaign-metrics 2m spring campaign' });
    expect(sent).toMatchObject({ ok: true, status: 200 });
    // the command's answer is an ephemeral only Mia sees
    const mine = await t.state(MIA);
    expect(mine.messages.some((m) => m.ephemeralFor === MIA && /was sent to <@U0OWNER1>/.test(m.text))).toBe(true);
    expect((await t.state(OMAR)).messages.some((m) => m.ephemeralFor)).toBe(false);

    const ask = await t.dm(OMAR, (m) => /needs your decision/.test(m.text));
    const approve = (ask.blocks as any[]).flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === 'request_approve');
    expect(approve.style).toBe('primary');
    const before = t.sandbox.store.messages.filter((m) => m.channel === `D${OMAR}`).length;
    const clicked = await t.page('/sandbox/action', { user: OMAR, channel: ask.channel, ts: ask.ts, action: { type: 'button', action_id: 'request_approve', block_id: 'request_decision', value: approve.value } });
    expect(clicked.ok).toBe(true);

    await t.dm(MIA, (m) => /is ready/.test(m.text));
    const updated = await t.waitFor(() => t.sandbox.store.find(ask.channel, ask.ts)?.edited && t.sandbox.store.find(ask.channel, ask.ts), 'the approver message updated');
    expect(updated.text).toMatch(/approved/);
    expect(JSON.stringify(updated.blocks)).not.toMatch(/request_approve/);
    expect(t.sandbox.store.messages.filter((m) => m.channel === `D${OMAR}`)).toHaveLength(before);
  });

  it('shows a modal’s validation errors next to the field, and closes it on success', async () => {
    await t.page('/sandbox/command', { user: 'U0MKT2', channel: 'DU0MKT2', text: '' });
    const form = await t.waitFor(() => t.sandbox.store.modals.get('U0MKT2')?.[0], 'the request form');
    expect(form!.view.callback_id).toBe('request_form');

    const options = await t.page('/sandbox/options', { user: 'U0MKT2', viewId: form!.id, actionId: 'form_dataset', blockId: 'form_dataset_block', query: 'web' });
    expect(options.options.map((o: { value: string }) => o.value)).toEqual(['web-analytics']);

    const tooLong = { form_dataset_block: { form_dataset: { type: 'external_select', selected_option: options.options[0] } }, form_duration_block: { form_duration: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '1 year' }, value: '365d' } } }, form_reason_block: { form_reason: { type: 'plain_text_input', value: null } } };
    await t.page('/sandbox/submit', { user: 'U0MKT2', viewId: form!.id, values: tooLong });
    const shown = (await t.state('U0MKT2')).modals.at(-1);
    expect(shown?.id).toBe(form!.id);
    expect(shown?.errors?.form_duration_block).toMatch(/longest|at most|maximum/i);

    const fine = { ...tooLong, form_duration_block: { form_duration: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '1 day' }, value: '1d' } } } };
    await t.page('/sandbox/submit', { user: 'U0MKT2', viewId: form!.id, values: fine });
    expect((await t.state('U0MKT2')).modals).toHaveLength(0);
    // web-analytics is public and auto-approved in the example catalog
    await t.dm('U0MKT2', (m) => /is ready/.test(m.text));
  });

  it('Home tab: Release on a grant; a sensitive message in the channel gets private coaching', async () => {
    // Mia's own grant for this test: web-analytics is public and auto-approved in the example catalog
    await t.page('/sandbox/command', { user: MIA, channel: `D${MIA}`, text: 'request web-analytics 1d traffic report' });
    await t.dm(MIA, (m) => /is ready/.test(m.text) && /Web analytics/.test(m.text));
    await t.page('/sandbox/home', { user: MIA });
    const home = await t.waitFor(() => t.sandbox.store.homes.get(MIA), 'Mia’s Home tab');
    const release = await t.waitFor(() => {
      const h = t.sandbox.store.homes.get(MIA);
      return (h?.view.blocks as any[] | undefined)?.flatMap((b) => b.elements ?? (b.accessory ? [b.accessory] : [])).find((e: any) => e.action_id === 'grant_release');
    }, 'a Release button on the Home tab');
    expect(release.confirm).toBeTruthy();
    await t.page('/sandbox/action', { user: MIA, viewId: home.id, action: { type: 'button', action_id: 'grant_release', value: release.value } });
    await t.dm(MIA, (m) => /Releasing your access/.test(m.text));

    await t.page('/sandbox/message', { user: 'U0MKT2', channel: 'C0SANDBOX', text: 'card for the test order: 4111 1111 1111 1111' });
    const coaching = await t.waitFor(() => t.sandbox.store.messages.find((m) => m.channel === 'C0SANDBOX' && m.ephemeralFor === 'U0MKT2' && m.user !== 'U0MKT2'), 'the coaching ephemeral');
    expect(JSON.stringify(coaching.blocks)).toMatch(/card/i);
    expect(JSON.stringify(coaching.blocks)).toMatch(/nudge_fixed/);
    expect((await t.state(MIA)).messages.some((m) => m.ts === coaching.ts)).toBe(false);
  });
});
