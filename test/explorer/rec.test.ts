/**
 * The model graph on a large real ontology: RealEstateCore v3's 767 interfaces (from the shared reference
 * material, found as every ontology suite finds it; skipped with the reason where it is absent), uploaded to
 * an empty server over GraphQL, drawn in the models view within a bound, readably (inside the canvas, spread
 * over it, few interfaces piled on others), and searchable: a search finds an interface, Enter opens it and the
 * graph moves to it. The figures are printed (bench/explorer.ts prints them too).
 */
import type { Browser, Page } from 'playwright-core';
import { describeWhen } from '../support/shared';
import {
  collectErrors,
  hasChromium,
  launch,
  measureModelGraph,
  modelGraphReadability,
  type ModelGraphGlobals,
} from './browser';
import { startExplorerHost, type ExplorerHost } from './host';
import { hasRec, recDocuments, REC_PATH, UPLOAD } from './ontology';
import { DESKTOP, shot } from './pages';

describeWhen(
  hasChromium() && hasRec(),
  'the model graph of RealEstateCore in the Explorer',
  hasChromium() ? `${REC_PATH} not found (set TWINGRAPH_SHARED)` : 'no /usr/bin/chromium (apt-get install chromium)',
  () => {
    let host: ExplorerHost;
    let browser: Browser;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      // The whole ontology is one upload of about 4 MB.
      host = await startExplorerHost({ data: 'empty', env: { TWINGRAPH_MAX_BODY: '16mb' } });
      const { uploadModels } = await host.app.ok(UPLOAD, { d: recDocuments() });
      expect(uploadModels.models).toHaveLength(767);
      browser = await launch();
      page = await browser.newPage({ viewport: DESKTOP });
      errors = collectErrors(page);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await host?.close();
    });

    it('draws all 767 interfaces readably, within a minute of opening the view on a busy machine', async () => {
      const figures = await measureModelGraph(host.url, page);
      console.log(`model graph of RealEstateCore: ${JSON.stringify(figures)}`);
      expect(figures.interfaces).toBe(767);
      expect(figures.edges).toBeGreaterThan(700);
      // A bound that catches a hang, not a figure: bench/explorer.ts measures it on a quiet machine.
      expect(figures.openMs).toBeLessThan(60_000);
      const readability = await modelGraphReadability(page);
      console.log(`model graph readability: ${JSON.stringify(readability)}`);
      expect(readability.inView).toBe(1);
      expect(readability.spread.x).toBeGreaterThan(0.5);
      expect(readability.spread.y).toBeGreaterThan(0.5);
      expect(readability.covered).toBeLessThan(0.25);
      await shot(page, 'model-graph-rec');
      expect(errors).toEqual([]);
    });

    it('finds an interface by name, opens it with Enter and moves the graph to it', async () => {
      const search = page.getByLabel('Search models');
      await search.fill('elevator');
      const count = page.getByTestId('model-count');
      await count.filter({ hasText: /^\d+ of 767 models/ }).waitFor();
      const list = page.getByRole('complementary', { name: 'Models' });
      await list.getByRole('button', { name: 'Elevator', exact: true }).waitFor();
      await list.getByRole('button', { name: 'Elevator', exact: true }).focus();
      await page.keyboard.press('Enter');
      const detail = page.getByTestId('model-detail');
      await detail.getByRole('heading', { name: 'Elevator', exact: true }).waitFor();
      await expect(detail.textContent()).resolves.toContain('dtmi:digitaltwins:rec_3_3:asset:Elevator;1');
      // The camera comes to the interface: it ends up near the middle of the canvas.
      const box = (await page.getByTestId('model-graph').boundingBox())!;
      await page.waitForFunction(
        ({ id, box }) => {
          const p = (globalThis as unknown as ModelGraphGlobals).__twingraphModelGraph!.position(id);
          return !!p && Math.abs(p.x - (box.x + box.width / 2)) < 40 && Math.abs(p.y - (box.y + box.height / 2)) < 40;
        },
        { id: 'dtmi:digitaltwins:rec_3_3:asset:Elevator;1', box },
      );
      await shot(page, 'model-graph-rec-search');
    });
  },
);
