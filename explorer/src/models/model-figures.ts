// What the tests and the benchmark read from the model graph: how long its layout and first frame took (also
// shown on its canvas as data attributes), and where each interface is drawn, to judge whether the picture is
// readable (nodes spread over the view rather than piled up). Read-only, on window.__twingraphModelGraph.
import type Graph from 'graphology';
import type Sigma from 'sigma';

export interface ModelGraphFigures {
  /** The ForceAtlas2 layout of the model graph, ms. */
  layoutMs?: number;
  /** From the page asking for the graph to its first frame drawn, ms (layout included). */
  renderMs?: number;
}

export interface ModelGraphProbe {
  readonly figures: ModelGraphFigures;
  /** Every interface drawn: its id, its position on the page (CSS pixels) and its radius on screen. */
  drawn(): { id: string; x: number; y: number; r: number }[];
  /** One interface's position on the page, when it is drawn. */
  position(id: string): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __twingraphModelGraph?: ModelGraphProbe;
  }
}

export function exposeModelGraph(
  graph: Graph,
  sigma: () => Sigma | null,
  figures: () => ModelGraphFigures,
): () => void {
  const at = (id: string) => {
    const s = sigma();
    const data = s?.getNodeDisplayData(id);
    if (!s || !data) return null;
    const p = s.framedGraphToViewport({ x: data.x, y: data.y });
    const box = s.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y, r: s.scaleSize(data.size) };
  };
  window.__twingraphModelGraph = {
    get figures() {
      return figures();
    },
    drawn: () => graph.mapNodes((id) => ({ id, ...at(id)! })).filter((n) => n.x !== undefined),
    position: (id) => {
      const p = at(id);
      return p && { x: p.x, y: p.y };
    },
  };
  return () => {
    delete window.__twingraphModelGraph;
  };
}
