/**
 * What the Explorer's browser tests share besides the browser: where screenshots go (TWINGRAPH_ARTEFACTS, by
 * default a temp directory; the README shows them), the two viewports every view is checked at (a 1280×800
 * laptop and a phone), going to a view by its address, and whether a view fits its width.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

export const ARTEFACTS = process.env.TWINGRAPH_ARTEFACTS ?? path.join(os.tmpdir(), 'twingraph-explorer-screenshots');

export const DESKTOP = { width: 1280, height: 800 } as const;
/** A phone held upright (an iPhone 12–15's CSS pixels). */
export const PHONE = { width: 390, height: 844 } as const;

/** Saves a screenshot of the page as `<ARTEFACTS>/<name>.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
}

/** Goes to a view of the Explorer by its address (the hash part), from the Explorer's URL. */
export async function go(page: Page, explorerUrl: string, hash: string): Promise<void> {
  const url = new URL(explorerUrl);
  url.hash = hash;
  await page.goto(url.href);
}

/** How many CSS pixels the element's content is wider than the element (0: it fits, nothing to scroll sideways). */
export function overflowX(locator: Locator): Promise<number> {
  return locator.evaluate((e: { scrollWidth: number; clientWidth: number }) => e.scrollWidth - e.clientWidth);
}
