/**
 * Serves the seeded demo with the Explorer and prints its URL (`npx tsx bench/explorer.ts serve`), or measures it
 * in headless Chromium (`npx tsx bench/explorer.ts`): time to the first render of the page, time to load and
 * draw the whole demo graph (every twin and relationship), and frames per second while panning it.
 */
import { measure } from '../test/explorer/browser';
import { startExplorerHost } from '../test/explorer/host';

async function main(): Promise<void> {
  const host = await startExplorerHost();
  console.log(`Explorer: ${host.url}${host.servedByApp ? '' : ' (side server: http.ts does not mount it yet)'}`);
  if (process.argv[2] === 'serve') {
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await host.close();
    return;
  }
  try {
    const figures = await measure(host.url);
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await host.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
