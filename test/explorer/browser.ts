/**
 * Headless Chromium for the Explorer's tests and benchmark: Debian's `chromium` package driven by playwright-core
 * (never a browser playwright downloads). WebGL runs on SwiftShader, the software renderer, since there is no GPU.
 */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // WebGL without a GPU: Chromium keeps its software renderer behind this switch.
      '--enable-unsafe-swiftshader',
    ],
  });
}

/** Page errors and console errors, collected so that a test can say none happened. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * What a test reads in the page (window.__twingraphExplorer, see explorer/src/graph/figures.ts), cast from
 * globalThis inside `page.evaluate` callbacks: the tests are compiled without the DOM library.
 */
export interface PageGlobals {
  __twingraphExplorer?: {
    readonly nodes: number;
    readonly edges: number;
    readonly figures: { loadMs?: number; renderMs?: number; twins?: number };
    position(id: string): { x: number; y: number } | null;
    pan(dx: number, dy: number): void;
    center(id: string): boolean;
  };
  requestAnimationFrame(callback: (now: number) => void): number;
}

export interface ExplorerFigures {
  /** From navigation to the start panel being on screen, ms. */
  readonly firstRenderMs: number;
  /** Loading every twin and relationship over GraphQL, ms (as the page measures it). */
  readonly graphLoadMs: number;
  /** From pressing Load to the first frame drawn with the whole graph, ms (as the page measures it). */
  readonly graphRenderMs: number;
  readonly twins: number;
  readonly relationships: number;
  /** Frames per second while the mouse drags the whole graph around (the layout stopped), in the page's own clock. */
  readonly panFps: number;
}

/** Opens the Explorer, loads every twin, waits for the layout to settle and pans for two seconds. */
export async function measure(url: string, page?: Page): Promise<ExplorerFigures> {
  const browser = page ? undefined : await launch();
  const p = page ?? (await browser!.newPage({ viewport: { width: 1280, height: 800 } }));
  try {
    const began = Date.now();
    await p.goto(url);
    await p.getByLabel('Twins of').waitFor();
    const firstRenderMs = Date.now() - began;
    await p.getByTestId('load').click();
    await p.waitForFunction(
      () => (globalThis as unknown as PageGlobals).__twingraphExplorer?.figures.renderMs !== undefined,
      null,
      { timeout: 120_000 },
    );
    const loaded = await p.evaluate(() => {
      const probe = (globalThis as unknown as PageGlobals).__twingraphExplorer!;
      return { ...probe.figures, nodes: probe.nodes, edges: probe.edges };
    });
    // The layout runs for a few seconds after a load; measure panning once it has stopped.
    await p.waitForTimeout(9000);
    const panFps = await dragFps(p, 2000);
    return {
      firstRenderMs,
      graphLoadMs: loaded.loadMs!,
      graphRenderMs: loaded.renderMs!,
      twins: loaded.nodes,
      relationships: loaded.edges,
      panFps: Math.round(panFps * 10) / 10,
    };
  } finally {
    await browser?.close();
  }
}

/**
 * Drags the graph with the mouse for `ms` and counts the animation frames the page managed meanwhile: sigma draws
 * in its animation frame, so a slow draw shows as fewer frames.
 */
export async function dragFps(page: Page, ms: number): Promise<number> {
  const box = (await page.locator('.sigma').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // A script rather than a function: tsx (the benchmark) would wrap a named function in a helper the page lacks.
  await page.evaluate(`(() => {
    globalThis.frames = [];
    globalThis.counting = true;
    const tick = (now) => {
      globalThis.frames.push(now);
      if (globalThis.counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const began = Date.now();
  for (let i = 0; Date.now() - began < ms; i++) {
    const angle = i / 10;
    await page.mouse.move(cx + 150 * Math.cos(angle), cy + 100 * Math.sin(angle));
  }
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const g = globalThis as unknown as { frames: number[]; counting: boolean };
    g.counting = false;
    return g.frames;
  });
  if (frames.length < 2) return 0;
  return Math.round(((frames.length - 1) * 1000 * 10) / (frames[frames.length - 1]! - frames[0]!)) / 10;
}

/** What the model graph's probe gives (window.__twingraphModelGraph, see explorer/src/models/model-figures.ts). */
export interface ModelGraphGlobals {
  __twingraphModelGraph?: {
    readonly figures: { layoutMs?: number; renderMs?: number };
    drawn(): { id: string; x: number; y: number; r: number }[];
    position(id: string): { x: number; y: number } | null;
  };
}

export interface ModelGraphFigures {
  /** From opening #/models to the model graph's first frame, ms (reading the models and the schema included). */
  readonly openMs: number;
  /** The layout of the model graph, ms (as the page measures it). */
  readonly layoutMs: number;
  /** From the page asking for the graph (layout included) to its first frame, ms (as the page measures it). */
  readonly renderMs: number;
  readonly interfaces: number;
  readonly edges: number;
}

/** Opens the models view and waits for the model graph's first frame. */
export async function measureModelGraph(url: string, page: Page): Promise<ModelGraphFigures> {
  const target = new URL(url);
  target.hash = '#/models';
  const began = Date.now();
  await page.goto(target.href);
  const canvas = page.getByTestId('model-graph');
  await page.locator('[data-testid="model-graph"][data-render-ms]').waitFor({ timeout: 120_000 });
  const openMs = Date.now() - began;
  const attribute = async (name: string) => Number(await canvas.getAttribute(name));
  return {
    openMs,
    layoutMs: await attribute('data-layout-ms'),
    renderMs: await attribute('data-render-ms'),
    interfaces: await attribute('data-nodes'),
    edges: await attribute('data-edges'),
  };
}

export interface Readability {
  /** Interfaces drawn inside the canvas, of all. */
  readonly inView: number;
  /** Share of interfaces that another one covers by more than half (their centres closer than the larger radius). */
  readonly covered: number;
  /** The drawing's extent as a share of the canvas's width and height. */
  readonly spread: { readonly x: number; readonly y: number };
}

/** How readable the model graph is as drawn: whether it fits the canvas, is spread over it and rarely piles up. */
export async function modelGraphReadability(page: Page): Promise<Readability> {
  const box = (await page.getByTestId('model-graph').boundingBox())!;
  const drawn = await page.evaluate(() => (globalThis as unknown as ModelGraphGlobals).__twingraphModelGraph!.drawn());
  const inside = drawn.filter(
    (n) => n.x >= box.x && n.x <= box.x + box.width && n.y >= box.y && n.y <= box.y + box.height,
  );
  let covered = 0;
  for (const a of drawn)
    if (drawn.some((b) => b !== a && Math.hypot(a.x - b.x, a.y - b.y) < Math.max(a.r, b.r))) covered++;
  const xs = drawn.map((n) => n.x);
  const ys = drawn.map((n) => n.y);
  return {
    inView: inside.length / drawn.length,
    covered: covered / drawn.length,
    spread: {
      x: (Math.max(...xs) - Math.min(...xs)) / box.width,
      y: (Math.max(...ys) - Math.min(...ys)) / box.height,
    },
  };
}
