import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, '../../docs/screenshots');

/** A person at the sandbox page in headless Chromium: request → approve → grant, by clicking. */
describe('sandbox page in a real browser', () => {
  let t: TestSandbox;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The browser test needs Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    }
    profile = mkdtempSync(join(tmpdir(), 'dab-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 760 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  // each test has its own sandbox (bot, database, queues); the browser is shared
  beforeEach(async () => {
    t = await startTestSandbox();
  });
  afterEach(async () => {
    await t?.stop();
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const becomes = (userId: string) => page.selectOption('#me', userId);
  const message = (text: RegExp) => page.locator('#messages .message').filter({ hasText: text });

  it('request by form as Mia, approve as Omar, Mia’s access is ready', async () => {
    await page.goto(t.sandbox.url);
    expect(await page.locator('.sandbox-banner').innerText()).toMatch(/Local sandbox/);

    await becomes('U0MKT1');
    await page.click('button[data-pane="dm"]');
    await page.fill('#composer-input', '/access');
    await page.press('#composer-input', 'Enter');
    // the form's dataset picker asks the bot for options as Slack's external select does
    await page.click('.modal .external-select input');
    await page.fill('.modal .external-select input', 'campaign');
    await page.click('.options li[data-value="campaign-metrics"]');
    // choosing a dataset redraws the form (views.update): its durations and its description
    await page.locator('.modal .context', { hasText: 'Daily spend' }).waitFor();
    await page.selectOption('.modal select[data-action-id="form_duration"]', '1h');
    await page.fill('.modal textarea[data-action-id="form_reason"]', 'Spring campaign report');
    await page.screenshot({ path: join(SCREENSHOTS, 'request-form.png') });
    await page.click('.modal-footer .btn.primary');
    await page.locator('.modal').waitFor({ state: 'detached' });
    await message(/was sent to/).waitFor();

    await becomes('U0OWNER1');
    const ask = message(/asks for access to/).last();
    await ask.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'approve.png') });
    await ask.locator('button', { hasText: 'Approve' }).click();
    // the same message, updated in place: the outcome and no buttons
    await ask.locator('button').first().waitFor({ state: 'detached' });
    expect(await ask.innerText()).toMatch(/Approved by/i);

    await becomes('U0MKT1');
    await message(/is ready/).first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'access-ready.png') });

    await page.click('button[data-pane="home"]');
    await page.locator('#home button', { hasText: 'Release' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'home.png') });
  });

  it('Release from the Home tab through its confirm dialog; a card number in #marketing gets private coaching', async () => {
    // Mia's own grant for this test: web-analytics is public and auto-approved in the example catalog
    await t.page('/sandbox/command', { user: 'U0MKT1', channel: 'DU0MKT1', text: 'request web-analytics 1d traffic report' });
    await t.dm('U0MKT1', (m) => /is ready/.test(m.text));
    await page.goto(t.sandbox.url);
    await becomes('U0MKT1');
    await page.click('button[data-pane="home"]');
    // a confirm dialog is the clicker's: choosing someone else closes it
    await page.locator('#home button', { hasText: 'Release' }).click();
    await page.locator('.confirm-overlay .dialog').waitFor();
    await becomes('U0MKT2');
    expect(await page.locator('.confirm-overlay').count()).toBe(0);

    await becomes('U0MKT1');
    await page.locator('#home button', { hasText: 'Release' }).click();
    await page.locator('.confirm-overlay .dialog .btn', { hasText: 'Release' }).click();
    // redrawn after the click: the grant is on its way out, without buttons
    await page.locator('#home button', { hasText: 'Release' }).waitFor({ state: 'detached' });

    await becomes('U0MKT2');
    await page.click('button[data-pane="channel"]');
    await page.fill('#composer-input', 'card for the test order: 4111 1111 1111 1111');
    await page.press('#composer-input', 'Enter');
    const coaching = message(/payment card number/);
    await coaching.waitFor();
    expect(await coaching.innerText()).toMatch(/Only visible to you/);
    await coaching.locator('button', { hasText: "I've fixed it" }).click();
    await message(/Thank you for keeping customer data safe/).waitFor();
    // Mia, in the same channel, never sees the coaching
    await becomes('U0MKT1');
    await message(/card for the test order/).waitFor();
    // the page redraws for Mia after the switch: until then it may still show Max's view
    await expect.poll(() => message(/Thank you for keeping|payment card number/).count(), { timeout: 5000 }).toBe(0);
  });
});
