/**
 * The Explorer on a server that requires identities (TWINGRAPH_AUTH=required): without a key it shows a sign-in
 * form rather than an error, and no live feed; a key it does not know is refused saying why; a reader key
 * browses the twins but its edit is refused with a message that says what role it needs; a writer key's edit
 * goes through and is recorded as that key's. The key lives in the tab (sessionStorage): a reload keeps it.
 */
import type { Browser, Page } from 'playwright-core';
import { bearer, createKey, gqlAs } from '../support/auth';
import { describeWhen } from '../support/shared';
import { collectErrors, hasChromium, launch } from './browser';
import { startExplorerHost, type ExplorerHost } from './host';
import { DESKTOP, go, PHONE, shot } from './pages';

describeWhen(
  hasChromium(),
  'the Explorer on a server that requires a key',
  'no /usr/bin/chromium (apt-get install chromium)',
  () => {
    let host: ExplorerHost;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    const keys: Record<'reader' | 'writer' | 'admin', string> = { reader: '', writer: '', admin: '' };

    beforeAll(async () => {
      host = await startExplorerHost({ data: 'models', env: { TWINGRAPH_AUTH: 'required' } });
      for (const role of ['reader', 'writer', 'admin'] as const)
        keys[role] = await createKey(host.app.store, { name: `${role}-key`, role });
      const made = await gqlAs(
        host.app.url,
        bearer(keys.admin),
        'mutation { createClient(id: "client-acme", input: { name: "Acme" }) { id } }',
      );
      expect(made.errors).toBeUndefined();
      browser = await launch();
      page = await browser.newPage({ viewport: DESKTOP });
      errors = collectErrors(page);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await host?.close();
    });

    const signIn = async (key: string): Promise<void> => {
      await page.getByLabel('API key or token').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    const name = async (): Promise<string> => {
      const { data } = await gqlAs(
        host.app.url,
        bearer(keys.admin),
        '{ twin(id: "client-acme") { ... on Client { name } } }',
      );
      return data!.twin.name;
    };

    it('asks for a key, rather than failing, when it has none, and is not live', async () => {
      await go(page, host.url, '#/graph');
      const needed = page.getByTestId('sign-in-needed');
      await needed.getByRole('heading', { name: 'Sign in: this server wants a key' }).waitFor();
      await expect(needed.getByRole('alert').textContent()).resolves.toMatch(/credential|key|token/i);
      await page.getByTestId('live-state').filter({ hasText: 'not live: key required' }).waitFor();
      // The key field is where the keyboard already is.
      await expect(
        page
          .getByLabel('API key or token')
          .evaluate(
            (e) => e === (e as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
          ),
      ).resolves.toBe(true);
      await shot(page, 'sign-in');
      await page.setViewportSize(PHONE);
      await shot(page, 'sign-in-phone');
      await page.setViewportSize(DESKTOP);
    });

    it('says why a key it does not know is refused, and stays at the sign-in form', async () => {
      await signIn(`tgk_${'A'.repeat(43)}`);
      const needed = page.getByTestId('sign-in-needed');
      await needed.getByText(/not known/).waitFor();
      await needed.getByText('The key this tab holds was refused').waitFor();
    });

    it('lets a reader key browse, and refuses its edit saying which role it needs, writing nothing', async () => {
      await signIn(keys.reader);
      await page.getByLabel('Twins of').waitFor();
      await page
        .getByTestId('live-state')
        .filter({ hasText: /^● live$/ })
        .waitFor();
      await go(page, host.url, '#/graph?twin=client-acme');
      const inspector = page.getByTestId('inspector');
      await inspector.getByTestId('value-name').filter({ hasText: 'Acme' }).waitFor();
      await inspector.getByRole('button', { name: 'Edit name' }).click();
      await inspector.getByLabel('New value of name').fill('Acme by a reader');
      await page.keyboard.press('Enter');
      const refused = inspector.getByRole('alert').filter({ hasText: 'Your key may not do this' });
      await refused.waitFor();
      await expect(refused.textContent()).resolves.toMatch(/patchTwin needs the writer role.*reader-key.*reader role/);
      await expect(refused.textContent()).resolves.toContain(
        'needs a key with the writer role; set one with the Key button',
      );
      expect(await name()).toBe('Acme');
      await shot(page, 'reader-refused');
      // Nor may a reader see the mirror's state: the panel says so rather than failing.
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Mirror' }).click();
      await page
        .getByTestId('mirror-error')
        .filter({ hasText: /mirrorStatus needs the admin role/ })
        .waitFor();
    });

    it("keeps the key through a reload, and lets a writer key's edit through, recorded as that key's", async () => {
      await page.reload();
      await page.getByRole('button', { name: /Key set/ }).waitFor();
      await page.getByTestId('mirror-error').waitFor();
      await page.getByRole('button', { name: /Key set/ }).click();
      await page.getByLabel('API key or token').fill(keys.writer);
      await page.getByRole('button', { name: 'Use' }).click();
      await go(page, host.url, '#/graph?twin=client-acme');
      const inspector = page.getByTestId('inspector');
      await inspector.getByTestId('value-name').filter({ hasText: 'Acme' }).waitFor();
      await inspector.getByRole('button', { name: 'Edit name' }).click();
      await inspector.getByLabel('New value of name').fill('Acme by a writer');
      await page.keyboard.press('Enter');
      await inspector.getByTestId('value-name').filter({ hasText: 'Acme by a writer' }).waitFor();
      expect(await name()).toBe('Acme by a writer');
      // The history, read over the WebSocket with the same key, names the writer.
      await inspector.getByTestId('history').getByText('writer-key').first().waitFor();
      // The browser reports each refused request (401, 403) as a console error; nothing else went wrong.
      expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
    });
  },
);
