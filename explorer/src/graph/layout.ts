// ForceAtlas2 in a web worker (graphology-layout-forceatlas2/worker), run for a while after the graph changes
// and then stopped: the page stays responsive while thousands of nodes settle, and nodes stop moving once they
// have, so the picture a person is looking at stays put. Positions already there are the starting point:
// a live update or an expansion nudges the layout rather than redoing it.
import type Graph from 'graphology';
import FA2Layout from 'graphology-layout-forceatlas2/worker';

export class LayoutRunner {
  private layout: FA2Layout | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopAt = 0;

  constructor(private readonly graph: Graph) {}

  /** Runs the layout for `ms` more (from now), starting it if need be. */
  run(ms: number): void {
    if (this.graph.order < 2) return;
    this.layout ??= new FA2Layout(this.graph, {
      settings: {
        barnesHutOptimize: this.graph.order > 300,
        gravity: 1,
        scalingRatio: 10,
        slowDown: 2,
        adjustSizes: false,
      },
    });
    this.stopAt = Math.max(this.stopAt, Date.now() + ms);
    if (!this.layout.isRunning()) this.layout.start();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), this.stopAt - Date.now());
  }

  get running(): boolean {
    return this.layout?.isRunning() ?? false;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.stopAt = 0;
    this.layout?.stop();
  }

  kill(): void {
    this.stop();
    this.layout?.kill();
    this.layout = undefined;
  }
}

/** How long to let a graph of `order` nodes settle: longer for larger graphs, never more than 8 s. */
export function settleMs(order: number): number {
  return Math.min(8000, 1500 + order);
}
