// A sigma.js (WebGL) view of a graphology graph, shared by the twin graph and the model graph: click selects,
// the selection and its neighbours stand out, search matches are highlighted, and nodes flagged as just
// changed flash. The renderer is made once per graph and kept: data changes redraw it without a new WebGL
// context, so the camera, the layout and the selection survive every update.
import type Graph from 'graphology';
import Sigma from 'sigma';
import { useEffect, useRef } from 'preact/hooks';

export interface SigmaViewProps {
  readonly graph: Graph;
  readonly selected: string | null;
  readonly onSelect: (id: string | null) => void;
  /** Nodes matching a search: drawn highlighted, the rest faded (none: nothing faded). */
  readonly matches?: ReadonlySet<string> | null;
  readonly label: string;
  /** Draws edge labels (the model graph's relationship names); the twin graph has too many. */
  readonly edgeLabels?: boolean;
  /** Labels every node whatever its size, and keeps them when something is selected (small graphs). */
  readonly allLabels?: boolean;
  readonly onRenderer?: (renderer: Sigma | null) => void;
}

const FADED = '#d9dee3';
const FLASH = '#ffd400';
/** Edges beyond which panning hides edges and labels while it moves. */
const LARGE = 2000;
/** Nodes up to which the whole graph is kept in view. */
const SMALL = 300;

export function SigmaView(props: SigmaViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma | null>(null);
  // Reducers read the latest props through this ref: sigma keeps the functions it was given.
  const state = useRef(props);
  state.current = props;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const sigma = new Sigma(props.graph, element, {
      renderEdgeLabels: props.edgeLabels ?? false,
      defaultEdgeType: 'arrow',
      labelRenderedSizeThreshold: props.allLabels ? 0 : 8,
      labelDensity: 0.5,
      zIndex: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 20,
      allowInvalidContainer: true,
      nodeReducer: (node, data) => {
        const { selected, matches, graph } = state.current;
        const out = { ...data, zIndex: 0 } as typeof data & { zIndex: number; highlighted?: boolean };
        const flashUntil = (data as { flashUntil?: number }).flashUntil;
        if (flashUntil && flashUntil > Date.now()) {
          out.color = FLASH;
          out.highlighted = true;
          out.zIndex = 2;
        }
        if (node === selected) {
          out.highlighted = true;
          out.zIndex = 3;
          out.size = Math.max(data.size as number, 8);
        } else if (matches && !matches.has(node)) {
          out.color = FADED;
          out.label = '';
        } else if (matches) {
          out.highlighted = true;
          out.zIndex = 1;
        } else if (
          !state.current.allLabels &&
          selected &&
          graph.hasNode(selected) &&
          !graph.areNeighbors(node, selected)
        ) {
          out.label = '';
        }
        return out;
      },
      edgeReducer: (edge, data) => {
        const { selected, matches, graph } = state.current;
        const out = { ...data };
        if (selected && graph.hasNode(selected) && graph.hasExtremity(edge, selected)) {
          out.color = '#2d3a48';
          out.size = 2;
          out.zIndex = 1;
        } else if (matches) out.hidden = true;
        return out;
      },
    });
    sigma.on('clickNode', ({ node }) => state.current.onSelect(node));
    sigma.on('clickStage', () => state.current.onSelect(null));
    sigma.on('enterNode', () => element.classList.add('pointing'));
    sigma.on('leaveNode', () => element.classList.remove('pointing'));
    renderer.current = sigma;
    props.onRenderer?.(sigma);
    // A large graph is dragged and zoomed without its edges and labels, drawn again once it stops: on a
    // software renderer (no GPU) that is the difference between a jerky and a smooth pan.
    const large = () => props.graph.size > LARGE;
    const onMove = () => {
      if (sigma.getSetting('hideEdgesOnMove') === large()) return;
      sigma.setSetting('hideEdgesOnMove', large());
      sigma.setSetting('hideLabelsOnMove', large());
    };
    props.graph.on('edgeAdded', onMove);
    props.graph.on('edgeDropped', onMove);
    props.graph.on('cleared', onMove);
    // Sigma follows window resizes only; the inspector opening or closing resizes the canvas too.
    const resized = new ResizeObserver(() => {
      sigma.resize(true);
      sigma.refresh();
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      props.graph.off('edgeAdded', onMove);
      props.graph.off('edgeDropped', onMove);
      props.graph.off('cleared', onMove);
      props.onRenderer?.(null);
      renderer.current = null;
      sigma.kill();
    };
    // One renderer per graph object; the rest is read through `state`.
  }, [props.graph]);

  // Selection and search change only how things are drawn (the reducers run again).
  useEffect(() => {
    renderer.current?.refresh();
  }, [props.selected, props.matches]);

  return <div ref={container} class="sigma" role="img" aria-label={props.label} />;
}

/**
 * Shows a node: a small graph is shown whole (it fits, and a zoomed camera would miss nodes added around it);
 * in a large one the camera moves to the node, zooming in unless it is already.
 */
export function focusNode(sigma: Sigma, id: string): void {
  const camera = sigma.getCamera();
  if (sigma.getGraph().order <= SMALL) {
    void camera.animatedReset({ duration: 300 });
    return;
  }
  const data = sigma.getNodeDisplayData(id);
  if (!data) return;
  void camera.animate({ x: data.x, y: data.y, ratio: Math.min(camera.ratio, 0.5) }, { duration: 400 });
}

/** Shows the whole graph. */
export function showAll(sigma: Sigma | null): void {
  void sigma?.getCamera().animatedReset({ duration: 300 });
}
