// The twin graph on screen, as a graphology graph: a node per twin loaded, an edge per relationship between
// two loaded twins. Relationships to twins not (yet) loaded are kept aside and drawn as soon as their other end
// arrives, so loading page by page, expanding, and live changes never lose an edge whatever their order.
// Positions stay with the nodes: new twins are put beside a neighbour, and nothing already placed moves but
// by the layout, so the picture and the selection survive reloads and live updates.
import Graph from 'graphology';

export interface TwinRef {
  readonly id: string;
  readonly modelId: string;
}

export interface RelationshipRef {
  readonly id: string;
  readonly name: string;
  readonly sourceId: string;
  readonly targetId: string;
}

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  modelId: string;
  /** Until when (ms since epoch) the node is drawn as just changed. */
  flashUntil?: number;
}

export interface EdgeAttributes {
  name: string;
  color: string;
  size: number;
  type: 'arrow';
  label: string;
}

export type TwinGraphology = Graph<NodeAttributes, EdgeAttributes>;

const EDGE_COLOUR = '#9aa5b1';

export function edgeKey(sourceId: string, relationshipId: string): string {
  return `${sourceId}/${relationshipId}`;
}

export class TwinGraph {
  readonly graph: TwinGraphology = new Graph({ multi: true, type: 'directed', allowSelfLoops: true });
  /** Relationships whose source or target is not in the graph, by the missing twin's id. */
  private readonly waiting = new Map<string, Map<string, RelationshipRef>>();

  constructor(private readonly colourOf: (modelId: string) => string) {}

  get order(): number {
    return this.graph.order;
  }

  get size(): number {
    return this.graph.size;
  }

  has(id: string): boolean {
    return this.graph.hasNode(id);
  }

  /** Adds a twin (or updates its model), near `near` when given; returns whether it is new. */
  addTwin(twin: TwinRef, near?: string): boolean {
    if (this.graph.hasNode(twin.id)) {
      const color = this.colourOf(twin.modelId);
      this.graph.mergeNodeAttributes(twin.id, { modelId: twin.modelId, color });
      return false;
    }
    const [x, y] = this.placeNear(near);
    this.graph.addNode(twin.id, {
      x,
      y,
      size: 2,
      color: this.colourOf(twin.modelId),
      label: twin.id,
      modelId: twin.modelId,
    });
    const pending = this.waiting.get(twin.id);
    if (pending) {
      this.waiting.delete(twin.id);
      for (const r of pending.values()) this.addRelationship(r);
    }
    return true;
  }

  /** Adds (or renames) a relationship; kept aside while one of its twins is missing. */
  addRelationship(r: RelationshipRef): void {
    const key = edgeKey(r.sourceId, r.id);
    if (this.graph.hasEdge(key)) {
      this.graph.mergeEdgeAttributes(key, { name: r.name, label: r.name });
      return;
    }
    const missing = !this.graph.hasNode(r.sourceId) ? r.sourceId : !this.graph.hasNode(r.targetId) ? r.targetId : null;
    if (missing) {
      let map = this.waiting.get(missing);
      if (!map) this.waiting.set(missing, (map = new Map()));
      map.set(key, r);
      return;
    }
    this.graph.addDirectedEdgeWithKey(key, r.sourceId, r.targetId, {
      name: r.name,
      label: r.name,
      color: EDGE_COLOUR,
      size: 1,
      type: 'arrow',
    });
    this.resize(r.sourceId);
    this.resize(r.targetId);
  }

  removeRelationship(sourceId: string, relationshipId: string): void {
    const key = edgeKey(sourceId, relationshipId);
    for (const map of this.waiting.values()) map.delete(key);
    if (!this.graph.hasEdge(key)) return;
    const [s, t] = this.graph.extremities(key);
    this.graph.dropEdge(key);
    this.resize(s);
    this.resize(t);
  }

  removeTwin(id: string): void {
    this.waiting.delete(id);
    if (!this.graph.hasNode(id)) return;
    const neighbours = this.graph.neighbors(id);
    this.graph.dropNode(id);
    for (const n of neighbours) this.resize(n);
  }

  /** Draws a twin as just changed for `ms`; the attribute change makes the renderer redraw it, both times. */
  flash(id: string, ms = 1500): void {
    if (!this.graph.hasNode(id)) return;
    const until = Date.now() + ms;
    this.graph.setNodeAttribute(id, 'flashUntil', until);
    setTimeout(() => {
      if (this.graph.hasNode(id) && this.graph.getNodeAttribute(id, 'flashUntil') === until)
        this.graph.removeNodeAttribute(id, 'flashUntil');
    }, ms);
  }

  clear(): void {
    this.graph.clear();
    this.waiting.clear();
  }

  /** Twins per model, for the legend. */
  countsByModel(): Map<string, number> {
    const counts = new Map<string, number>();
    this.graph.forEachNode((_id, a) => counts.set(a.modelId, (counts.get(a.modelId) ?? 0) + 1));
    return counts;
  }

  /** Hubs are drawn larger: size grows with the log of the degree. */
  private resize(id: string): void {
    if (!this.graph.hasNode(id)) return;
    this.graph.setNodeAttribute(id, 'size', 2 + 1.5 * Math.log2(1 + this.graph.degree(id)));
  }

  private placeNear(near: string | undefined): [number, number] {
    if (near && this.graph.hasNode(near)) {
      const a = this.graph.getNodeAttributes(near);
      const angle = Math.random() * 2 * Math.PI;
      const r = 5 + Math.random() * 10;
      return [a.x + r * Math.cos(angle), a.y + r * Math.sin(angle)];
    }
    // A fresh start: spread over a disc that grows with the graph, so that the layout has room to work.
    const radius = 10 * Math.sqrt(this.graph.order + 100);
    const angle = Math.random() * 2 * Math.PI;
    const r = radius * Math.sqrt(Math.random());
    return [r * Math.cos(angle), r * Math.sin(angle)];
  }
}
