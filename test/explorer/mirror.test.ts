/**
 * The Explorer's mirror panel on a server that mirrors to Azure Digital Twins (a test ADT server): the changes
 * pending, the dead letters with ADT's own errors, a dead letter retried from the keyboard (ADT then has the
 * twin), and dead letters dropped only once the drop is confirmed. Screenshots at 1280×800 and on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { waitUntil } from '../support/api-harness';
import { drained } from '../support/mirror-state';
import { describeWhen } from '../support/shared';
import { collectErrors, hasChromium, launch } from './browser';
import { startExplorerHost, type ExplorerHost } from './host';
import { DESKTOP, go, overflowX, PHONE, shot } from './pages';

/** How long ADT takes to answer the one slow change: the panel must see it pending meanwhile. */
const SLOW_MS = 15_000;

describeWhen(hasChromium(), 'the Explorer’s mirror panel', 'no /usr/bin/chromium (apt-get install chromium)', () => {
  let adt: AdtServer;
  let host: ExplorerHost;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    adt = await startAdtServer();
    host = await startExplorerHost({ data: 'models', env: { ADT_ENDPOINT: adt.url, ADT_COALESCE_MS: '5' } });
    browser = await launch();
    page = await browser.newPage({ viewport: DESKTOP });
    errors = collectErrors(page);
  }, 300_000);

  afterAll(async () => {
    adt?.faults.hook(undefined);
    await browser?.close();
    await host?.close();
    await adt?.stop();
  });

  it("shows what is pending and each dead letter with ADT's error, and retries one from the keyboard", async () => {
    const { app } = host;
    for (const id of ['m-country', 'm-email', 'm-slow'])
      await app.ok(`mutation { createClient(id: "${id}", input: { name: "${id}", country: "BE" }) { id } }`);
    await drained(app.store);
    // ADT refuses two updates for good and takes its time over a third.
    adt.faults.hook((r) => {
      if (r.op !== 'twins.patch') return undefined;
      if (r.path === '/digitaltwins/m-country')
        return { type: 'refuse', status: 400, code: 'ValidationFailed', message: 'Invalid property country.' };
      if (r.path === '/digitaltwins/m-email')
        return { type: 'refuse', status: 400, code: 'ValidationFailed', message: 'Invalid property email.' };
      if (r.path === '/digitaltwins/m-slow') return { type: 'delay', ms: SLOW_MS };
      return undefined;
    });
    await app.ok('mutation { updateClient(id: "m-country", input: { country: "NL" }) { id } }');
    await app.ok('mutation { updateClient(id: "m-email", input: { email: "x@example.com" }) { id } }');
    await app.ok('mutation { updateClient(id: "m-slow", input: { country: "DE" }) { id } }');

    await go(page, host.url, '#/mirror');
    const panel = page.getByTestId('mirror');
    await panel
      .getByTestId('mirror-pending')
      .filter({ hasText: /^1$/ })
      .waitFor({ timeout: SLOW_MS - 2000 });
    await panel.getByTestId('mirror-dead').filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
    const table = panel.getByTestId('dead-letter-table');
    const country = table.locator('tr', { hasText: 'm-country' });
    const email = table.locator('tr', { hasText: 'm-email' });
    await expect(country.getByTestId('adt-error').textContent()).resolves.toMatch(
      /400 ValidationFailed: Invalid property country\./,
    );
    await expect(email.getByTestId('adt-error').textContent()).resolves.toMatch(/Invalid property email\./);
    await expect(country.textContent()).resolves.toContain('Twin.Update');
    await shot(page, 'mirror');
    // On a phone each dead letter is a card, and nothing is wider than the screen.
    await page.setViewportSize(PHONE);
    expect(await overflowX(panel)).toBeLessThanOrEqual(0);
    await shot(page, 'mirror-phone');
    await page.setViewportSize(DESKTOP);

    // ADT takes it now; the operator puts it back in line with Space and Enter alone.
    adt.faults.hook(undefined);
    await country.getByRole('checkbox').focus();
    await page.keyboard.press('Space');
    await panel.getByRole('button', { name: 'Retry selected (1)' }).focus();
    await page.keyboard.press('Enter');
    await panel.getByTestId('mirror-result').filter({ hasText: '1 dead letter put back in line' }).waitFor();
    await panel.getByTestId('mirror-dead').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await waitUntil(() => adt.state.twins.get('m-country')?.country === 'NL', 'ADT has m-country as it is now', 10_000);
    await expect(table.locator('tr', { hasText: 'm-country' }).count()).resolves.toBe(0);
  });

  it('drops a dead letter only once the drop is confirmed', async () => {
    const panel = page.getByTestId('mirror');
    await panel.getByRole('button', { name: 'Drop all (1)' }).click();
    const confirm = panel.getByTestId('confirm-drop');
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toContain('twingraph mirror reconcile');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await host.app.ok('{ mirrorStatus { dead } }')).mirrorStatus.dead).toBe(1);

    await panel.getByRole('button', { name: 'Drop all (1)' }).click();
    await panel.getByTestId('confirm-drop').getByRole('button', { name: 'Drop it' }).click();
    await panel.getByTestId('no-dead-letters').waitFor();
    await panel.getByTestId('mirror-result').filter({ hasText: '1 dead letter dropped' }).waitFor();
    expect((await host.app.ok('{ mirrorStatus { dead } }')).mirrorStatus.dead).toBe(0);
    expect(errors).toEqual([]);
  });
});
