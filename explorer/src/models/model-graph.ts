// The model graph: a node per model, an edge per `extends` (grey, towards the base), per relationship
// target (blue, named) and per component (green). Laid out by ForceAtlas2 synchronously: even RealEstateCore's 767 interfaces take
// a fraction of a second, and the picture is then fixed, so that a search or a selection never moves it.
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { modelLabel, type Catalogue } from '../api/models';

export function modelGraph(catalogue: Catalogue): Graph {
  const graph = new Graph({ multi: true, type: 'directed' });
  const n = catalogue.models.length;
  catalogue.models.forEach((m, i) => {
    // A circle to start from: deterministic, so the same models always give the same picture.
    const angle = (2 * Math.PI * i) / Math.max(1, n);
    graph.addNode(m.id, {
      x: 100 * Math.cos(angle),
      y: 100 * Math.sin(angle),
      size: 6,
      label: modelLabel(m, m.id),
      color: catalogue.colour(m.id),
    });
  });
  for (const m of catalogue.models) {
    for (const base of m.extends)
      if (graph.hasNode(base))
        graph.addDirectedEdge(m.id, base, { color: '#b8c0c8', size: 2, label: 'extends', type: 'arrow' });
    for (const c of m.contents)
      if (
        (c.kind === 'Relationship' || c.kind === 'Component') &&
        c.definedIn === m.id &&
        c.target &&
        graph.hasNode(c.target)
      )
        graph.addDirectedEdge(m.id, c.target, {
          color: c.kind === 'Component' ? '#59a14f' : '#5b8def',
          size: 1.5,
          label: c.kind === 'Component' ? `${c.name} (component)` : c.name,
          type: 'arrow',
        });
  }
  graph.forEachNode((id) => graph.setNodeAttribute(id, 'size', 5 + 2 * Math.log2(1 + graph.degree(id))));
  if (n > 1)
    forceAtlas2.assign(graph, {
      iterations: n > 200 ? 300 : 500,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: n > 200, gravity: 1, scalingRatio: 20 },
    });
  return graph;
}
