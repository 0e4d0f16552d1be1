/**
 * The Twingraph Explorer's figures, in headless Chromium on this machine (`npx tsx bench/explorer.ts`): time to
 * the first render of the page, time to load and draw the whole demo graph (every twin and relationship), frames
 * per second while panning it, and the model graph of RealEstateCore's 767 interfaces (the first opening after
 * the upload, when the server prints its 22 MB schema for the first time, and a later one). Each demo figure is
 * measured `--runs` times (default 3) in a fresh page and printed with its median; the REC figures are skipped,
 * saying why, without the shared ontologies. `npx tsx bench/explorer.ts serve` serves the demo with the Explorer
 * and prints its URL instead.
 */
import type { Browser } from 'playwright-core';
import {
  launch,
  measure,
  measureModelGraph,
  type ExplorerFigures,
  type ModelGraphFigures,
} from '../test/explorer/browser';
import { startExplorerHost } from '../test/explorer/host';
import { hasRec, recDocuments, REC_PATH, UPLOAD } from '../test/explorer/ontology';
import { DESKTOP } from '../test/explorer/pages';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median (min–max)` of one figure over the runs. */
function summary<T>(runs: readonly T[], key: keyof T): string {
  const values = runs.map((r) => Number(r[key]));
  return `${median(values)} (${Math.min(...values)}–${Math.max(...values)})`;
}

async function demoFigures(browser: Browser, runs: number): Promise<ExplorerFigures[]> {
  const host = await startExplorerHost();
  try {
    const out: ExplorerFigures[] = [];
    for (let i = 0; i < runs; i++) {
      // A fresh page each time: nothing cached in the page, the browser's HTTP cache aside.
      const page = await browser.newPage({ viewport: DESKTOP });
      try {
        out.push(await measure(host.url, page));
      } finally {
        await page.close();
      }
      console.log(`demo run ${i + 1}: ${JSON.stringify(out[i])}`);
    }
    return out;
  } finally {
    await host.close();
  }
}

async function recFigures(browser: Browser): Promise<{ first: ModelGraphFigures; again: ModelGraphFigures }> {
  const host = await startExplorerHost({ data: 'empty', env: { TWINGRAPH_MAX_BODY: '16mb' } });
  try {
    await host.app.ok(UPLOAD, { d: recDocuments() });
    const page = await browser.newPage({ viewport: DESKTOP });
    try {
      const first = await measureModelGraph(host.url, page);
      await page.goto('about:blank');
      const again = await measureModelGraph(host.url, page);
      return { first, again };
    } finally {
      await page.close();
    }
  } finally {
    await host.close();
  }
}

async function serve(): Promise<void> {
  const host = await startExplorerHost();
  console.log(`Explorer: ${host.url}`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await host.close();
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  const at = process.argv.indexOf('--runs');
  const runs = at > 0 ? Math.max(1, Number(process.argv[at + 1])) : 3;
  const browser = await launch();
  try {
    const demo = await demoFigures(browser, runs);
    const rec = hasRec() ? await recFigures(browser) : undefined;
    console.log(
      `\nExplorer figures, ${runs} run${runs === 1 ? '' : 's'} (median, min–max), headless Chromium, software WebGL:`,
    );
    console.log(
      `  first render of the Explorer (page to start panel, models read): ${summary(demo, 'firstRenderMs')} ms`,
    );
    console.log(
      `  demo graph, ${demo[0]!.twins} twins and ${demo[0]!.relationships} relationships: loaded in ${summary(demo, 'graphLoadMs')} ms, drawn in ${summary(demo, 'graphRenderMs')} ms`,
    );
    console.log(`  panning the whole demo graph: ${summary(demo, 'panFps')} frames per second`);
    if (rec) {
      const line = (f: ModelGraphFigures) =>
        `${f.openMs} ms from opening the view to the first frame (the layout ${f.layoutMs} ms; layout and drawing ${f.renderMs} ms)`;
      console.log(`  model graph of RealEstateCore, ${rec.first.interfaces} interfaces and ${rec.first.edges} edges:`);
      console.log(`    first opening after the upload: ${line(rec.first)}`);
      console.log(`    opened again: ${line(rec.again)}`);
    } else console.log(`  model graph of RealEstateCore: skipped, ${REC_PATH} not found (set TWINGRAPH_SHARED)`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
