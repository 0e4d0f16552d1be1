// What the tests and the benchmark read from a running Explorer: the graph's size, the figures of the last
// load, and where a twin is drawn (to click it as a person would). Read-only, on window.__twingraphExplorer.
import type Sigma from 'sigma';
import type { TwinGraph } from './twin-graph';

export interface GraphFigures {
  loadMs?: number;
  renderMs?: number;
  twins?: number;
  at?: number;
}

export interface ExplorerProbe {
  readonly nodes: number;
  readonly edges: number;
  readonly figures: GraphFigures;
  /** The twin's position on the page (CSS pixels), when it is drawn. */
  position(id: string): { x: number; y: number } | null;
  /** Pans the camera by a fraction of the view, for the frame-rate measure. */
  pan(dx: number, dy: number): void;
  /** Moves the camera (without animation or zoom) so the twin is in the middle of the view; false if not drawn. */
  center(id: string): boolean;
}

declare global {
  interface Window {
    __twingraphExplorer?: ExplorerProbe;
  }
}

export function exposeForTests(data: TwinGraph, sigma: () => Sigma | null, figures: () => GraphFigures): () => void {
  window.__twingraphExplorer = {
    get nodes() {
      return data.order;
    },
    get edges() {
      return data.size;
    },
    get figures() {
      return figures();
    },
    position(id) {
      const s = sigma();
      if (!s || !data.has(id)) return null;
      const a = data.graph.getNodeAttributes(id);
      const p = s.graphToViewport({ x: a.x, y: a.y });
      const box = s.getContainer().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    pan(dx, dy) {
      const s = sigma();
      if (!s) return;
      const camera = s.getCamera();
      const state = camera.getState();
      camera.setState({ x: state.x + dx * state.ratio, y: state.y + dy * state.ratio });
    },
    center(id) {
      const s = sigma();
      const at = s && data.has(id) ? s.getNodeDisplayData(id) : undefined;
      if (!s || !at) return false;
      s.getCamera().setState({ x: at.x, y: at.y });
      s.refresh();
      return true;
    },
  };
  return () => {
    delete window.__twingraphExplorer;
  };
}
