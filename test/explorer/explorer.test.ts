/**
 * The Twingraph Explorer end to end, in headless Chromium, on the seeded demo: the whole twin graph drawn, a
 * twin found and expanded to its assets and devices, a device's properties, telemetry chart, forecast and failure
 * risk, an edit refused for a stale ETag with both versions shown, a change made over GraphQL by another client
 * appearing on screen within a second, and DTDL uploads (an error shown at its line, then a valid model and its
 * GraphQL type). Screenshots of the main views are saved to TWINGRAPH_ARTEFACTS (default: a temp directory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeWhen } from '../support/shared';
import { collectErrors, hasChromium, launch, measure, type PageGlobals } from './browser';
import { startExplorerHost, type ExplorerHost } from './host';

const ARTEFACTS = process.env.TWINGRAPH_ARTEFACTS ?? path.join(os.tmpdir(), 'twingraph-explorer-screenshots');

const BAD_DTDL = `{
  "@context": "dtmi:dtdl:context;3",
  "@id": "dtmi:example:explorer:Pump;1",
  "@type": "Interface",
  "contents": [
    { "@type": "Property", "name": "label", "schema": "string" },
    { "@type": "Property", "name": "speed", "schema": "dubble" }
  ]
}
`;
const GOOD_DTDL = BAD_DTDL.replace('dubble', 'double');

describeWhen(
  hasChromium(),
  'Twingraph Explorer in headless Chromium',
  'no /usr/bin/chromium (apt-get install chromium)',
  () => {
    let host: ExplorerHost;
    let browser: Browser;
    let page: Page;
    let errors: string[];

    const shot = async (name: string): Promise<void> => {
      fs.mkdirSync(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
    };
    /** Goes to a view of the Explorer by its address (the hash part). */
    const go = async (hash: string): Promise<void> => {
      const url = new URL(host.url);
      url.hash = hash;
      await page.goto(url.href);
    };

    beforeAll(async () => {
      host = await startExplorerHost();
      browser = await launch();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      errors = collectErrors(page);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await host?.close();
    });

    it('draws every twin and relationship of the demo, and says how long it took', async () => {
      const counts = await host.app.store.counts();
      const figures = await measure(host.url, page);
      expect(figures.twins).toBe(counts.twins);
      expect(figures.relationships).toBe(counts.relationships);
      expect(counts.twins).toBeGreaterThan(4000);
      const stats = page.getByTestId('graph-stats');
      expect(await stats.getAttribute('data-nodes')).toBe(String(counts.twins));
      expect(await stats.getAttribute('data-edges')).toBe(String(counts.relationships));
      await shot('twin-graph');
      console.log(
        `explorer figures (${host.servedByApp ? 'served by the app' : 'side server'}): ${JSON.stringify(figures)}`,
      );
      expect(errors).toEqual([]);
    }, 180_000);

    it('opens a twin drawn in the graph with a click, and shows its properties', async () => {
      const at = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).__twingraphExplorer!.position('offering-consulting'),
      );
      expect(at).not.toBeNull();
      // The search fades every other twin, so that the click lands on this one.
      await page.getByLabel('Find on screen').fill('offering-consulting');
      const drawn = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).__twingraphExplorer!.position('offering-consulting'),
      );
      await page.mouse.click(drawn!.x, drawn!.y);
      const inspector = page.getByTestId('inspector');
      // waitFor, not isVisible: the inspector renders after the click's request is answered.
      await inspector.getByRole('heading', { name: 'offering-consulting' }).waitFor();
      const { twin } = await host.app.ok('{ twin(id: "offering-consulting") { ... on ServiceOffering { name } } }');
      await inspector.getByTestId('value-name').filter({ hasText: twin.name }).waitFor();
      await page.getByLabel('Find on screen').fill('');
    });

    it('finds engagement-0007 and expands it to its assets and their devices', async () => {
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel('Twin id').fill('engagement-0007');
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      const inspector = page.getByTestId('inspector');
      await inspector.getByRole('heading', { name: 'engagement-0007' }).waitFor();
      const { twin } = await host.app.ok(`{ twin(id: "engagement-0007") {
      ... on Engagement { title covers { nodes { id hosts { nodes { id } } } } } } }`);
      await inspector.getByTestId('value-title').filter({ hasText: twin.title }).waitFor();
      // Opening a twin brings its neighbours: the assets it covers among them.
      const assets: string[] = twin.covers.nodes.map((a: { id: string }) => a.id);
      const nodes = () => page.evaluate(() => (globalThis as unknown as PageGlobals).__twingraphExplorer!.nodes);
      await page.waitForFunction(
        (n) => (globalThis as unknown as PageGlobals).__twingraphExplorer!.nodes >= n,
        1 + assets.length,
      );
      await page.getByTestId('predictions').getByTestId('profit').waitFor();
      await shot('engagement');
      // To the first asset, then its devices.
      await inspector.getByRole('button', { name: assets[0], exact: true }).first().click();
      await inspector.getByRole('heading', { name: assets[0] }).waitFor();
      const before = await nodes();
      await inspector.getByTestId('expand-hosts').click();
      const devices: string[] = twin.covers.nodes[0].hosts.nodes.map((d: { id: string }) => d.id);
      expect(devices.length).toBeGreaterThan(0);
      await page.waitForFunction(
        (ids) => ids.every((id) => (globalThis as unknown as PageGlobals).__twingraphExplorer!.position(id) !== null),
        devices,
      );
      expect(await nodes()).toBeGreaterThanOrEqual(before);
    });

    it("shows a device's telemetry chart with its forecast band, and its failure risk", async () => {
      const inspector = page.getByTestId('inspector');
      const { devices } = await host.app.ok('{ devices(first: 1, orderBy: [{ id: ASC }]) { nodes { id } } }');
      const id: string = devices.nodes[0].id;
      await go(`#/graph?twin=${id}`);
      await inspector.getByRole('heading', { name: id }).waitFor();
      await inspector.getByTestId('chart').waitFor({ timeout: 30_000 });
      await inspector.getByTestId('forecast-band').waitFor({ timeout: 30_000 });
      const probability = await inspector.getByTestId('failure-probability').textContent({ timeout: 30_000 });
      expect(probability).toMatch(/%$/);
      await inspector.getByTestId('chart').scrollIntoViewIfNeeded();
      await shot('device-inspector');
    });

    it('refuses an edit made on a stale ETag and shows both versions, then writes it knowingly', async () => {
      const id = 'engagement-0007';
      await go(`#/graph?twin=${id}`);
      const inspector = page.getByTestId('inspector');
      await inspector.getByRole('heading', { name: id }).waitFor();
      await inspector.getByTestId('value-title').waitFor();
      await inspector.getByRole('button', { name: 'Edit title' }).click();
      await inspector.getByLabel('New value of title').fill('Mine: from the Explorer');
      // Another client writes first.
      await host.app.ok(
        `mutation { patchTwin(id: "${id}", patch: [{ op: replace, path: "/title", value: "Theirs: from another client" }]) { etag } }`,
      );
      await inspector.getByRole('button', { name: 'Save' }).click();
      const conflict = inspector.getByTestId('conflict');
      await conflict.waitFor();
      await expect(conflict.getByTestId('conflict-mine').textContent()).resolves.toBe('Mine: from the Explorer');
      await expect(conflict.getByTestId('conflict-theirs').textContent()).resolves.toBe('Theirs: from another client');
      await shot('etag-conflict');
      await conflict.getByRole('button', { name: 'Write mine over theirs' }).click();
      await inspector.getByTestId('value-title').filter({ hasText: 'Mine: from the Explorer' }).waitFor();
      const { twin } = await host.app.ok(`{ twin(id: "${id}") { ... on Engagement { title } } }`);
      expect(twin.title).toBe('Mine: from the Explorer');
    });

    it('shows a change made over GraphQL by another client within a second', async () => {
      const id = 'engagement-0007';
      const inspector = page.getByTestId('inspector');
      await inspector.getByTestId('value-title').waitFor();
      const started = Date.now();
      await host.app.ok(
        `mutation { patchTwin(id: "${id}", patch: [{ op: replace, path: "/title", value: "Live from elsewhere" }]) { etag } }`,
      );
      await inspector.getByTestId('value-title').filter({ hasText: 'Live from elsewhere' }).waitFor({ timeout: 1000 });
      expect(Date.now() - started).toBeLessThan(1000);
      // A new relationship between two twins on screen appears as an edge.
      const edges = await page.evaluate(() => (globalThis as unknown as PageGlobals).__twingraphExplorer!.edges);
      const { employees } = await host.app.ok('{ employees(first: 1, orderBy: [{ id: DESC }]) { nodes { id } } }');
      await page.getByLabel('Twin id').fill(employees.nodes[0].id);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await inspector.getByRole('heading', { name: employees.nodes[0].id }).waitFor();
      const withEmployee = await page.evaluate(() => (globalThis as unknown as PageGlobals).__twingraphExplorer!.edges);
      expect(withEmployee).toBeGreaterThanOrEqual(edges);
      const at = Date.now();
      await host.app.ok(
        `mutation { createRelationship(sourceId: "${id}", name: "ledBy", targetId: "${employees.nodes[0].id}", id: "explorer-live-test") { id } }`,
      );
      await page.waitForFunction(
        (n) => (globalThis as unknown as PageGlobals).__twingraphExplorer!.edges > n,
        withEmployee,
        { timeout: 1000 },
      );
      expect(Date.now() - at).toBeLessThan(1000);
      // History lists the changes of the twin from the change log.
      await go(`#/graph?twin=${id}`);
      await inspector.getByTestId('history').getByText('Relationship.Create').first().waitFor();
    });

    it('shows a DTDL error at its line in the editor, then uploads a valid model and names its GraphQL type', async () => {
      await go('#/models');
      await page.getByTestId('open-upload').click();
      const editor = page.getByTestId('dtdl-editor');
      await editor.locator('.cm-content').waitFor();
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'pump.json', mimeType: 'application/json', buffer: Buffer.from(BAD_DTDL) });
      await editor.getByText('"dubble"').waitFor();
      await page.getByTestId('upload').click();
      const list = page.getByTestId('upload-errors');
      await list.waitFor();
      // The error is at line 7, column 45 (the value 'dubble'), in the list and underlined in the editor.
      await list.getByRole('button', { name: 'line 7, column 45' }).first().waitFor();
      // The editor underlines the token at that line and column: the 45th character of line 7 starts it.
      const token = /^"[^"]*"/.exec(BAD_DTDL.split('\n')[6]!.slice(44))![0];
      const marked = editor.locator('.cm-line').nth(6).locator('.cm-lintRange-error');
      await marked.first().waitFor();
      expect(await marked.first().textContent()).toBe(token);
      await shot('dtdl-error');
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'pump.json', mimeType: 'application/json', buffer: Buffer.from(GOOD_DTDL) });
      await page.getByTestId('upload').click();
      const result = page.getByTestId('upload-result');
      await result.getByText('dtmi:example:explorer:Pump;1').waitFor();
      await expect(result.textContent()).resolves.toContain('GraphQL type Pump');
      // The new model is in the catalogue (read again after modelChanged) and its detail names its type.
      await page.getByTestId('model-detail').getByTestId('graphql-type').filter({ hasText: 'Pump' }).waitFor();
      await shot('models');
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    });
  },
);
