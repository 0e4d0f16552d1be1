// The twin graph view: where to start (a twin, a model, a typed query, or everything), the WebGL graph coloured
// by model with its legend and search, and the inspector of the selected twin. The graph object lives as long
// as the page: loads add to it, live changes edit it, and the selection is the address (#/graph?twin=…).
import type Sigma from 'sigma';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { modelLabel } from '../api/models';
import { listFieldOf } from '../api/schema';
import { errorMessage } from '../ui/format';
import { navigate } from '../route';
import type { ServerInfo } from '../server-info';
import { Inspector } from '../inspector/inspector';
import { LayoutRunner, settleMs } from './layout';
import { followGraph } from './live-graph';
import { expandTwin, loadTwins, type Start } from './load';
import { focusNode, showAll, SigmaView } from './sigma-view';
import { TwinGraph } from './twin-graph';
import { exposeForTests, type GraphFigures } from './figures';

export interface TwinGraphPageProps {
  readonly info: ServerInfo;
  readonly twin: string | null;
}

export function TwinGraphPage({ info, twin }: TwinGraphPageProps) {
  const catalogue = useRef(info.catalogue);
  catalogue.current = info.catalogue;
  const data = useMemo(() => new TwinGraph((m) => catalogue.current.colour(m)), []);
  const layout = useMemo(() => new LayoutRunner(data.graph), [data]);
  const sigma = useRef<Sigma | null>(null);
  const startRef = useRef<Start | null>(null);
  const [, setVersion] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [figures, setFigures] = useState<GraphFigures>({});
  const [search, setSearch] = useState('');
  const [twinId, setTwinId] = useState(twin ?? '');
  const [modelId, setModelId] = useState('');
  const [where, setWhere] = useState('');
  const [inspectorVersion, setInspectorVersion] = useState(0);

  const redrawn = () => setVersion((v) => v + 1);
  const select = (id: string | null) => navigate('graph', id ? { twin: id } : {});

  useEffect(() => () => layout.kill(), [layout]);
  useEffect(
    () =>
      exposeForTests(
        data,
        () => sigma.current,
        () => figures,
      ),
    [data, figures],
  );

  // Live: the graph follows the server from the moment the page opens.
  useEffect(
    () =>
      followGraph(data, {
        wants: (m) => {
          const start = startRef.current;
          if (!start) return false;
          if (start.kind === 'all') return true;
          if (start.kind === 'model')
            return m === start.modelId || !!catalogue.current.byId.get(m)?.ancestors.includes(start.modelId!);
          return false;
        },
        changed: ({ structural, twinId: changed }) => {
          if (structural) layout.run(1000);
          if (changed && changed === twin) setInspectorVersion((v) => v + 1);
          redrawn();
        },
      }),
    [data, layout, twin],
  );

  // A twin named in the address but not on screen (a shared link, a click in the inspector): bring it in.
  useEffect(() => {
    if (!twin) return;
    setTwinId(twin);
    if (data.has(twin)) {
      if (sigma.current) focusNode(sigma.current, twin);
      return;
    }
    void run(`Opening ${twin}…`, async () => {
      const added = await expandTwin(data, twin);
      if (added === null) throw new Error(`There is no twin '${twin}'.`);
      layout.run(settleMs(added * 10));
      if (sigma.current) focusNode(sigma.current, twin);
    });
  }, [twin]);

  async function run(what: string, work: () => Promise<void>): Promise<void> {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
      redrawn();
    }
  }

  async function load(start: Start): Promise<void> {
    layout.kill();
    data.clear();
    showAll(sigma.current);
    startRef.current = start;
    const began = performance.now();
    await run('Loading twins…', async () => {
      const progress = await loadTwins(data, start, (p) => {
        setBusy(
          `Loading twins… ${p.loaded.toLocaleString('en')}${p.total ? ` of ${p.total.toLocaleString('en')}` : ''}`,
        );
        redrawn();
      });
      const loadMs = performance.now() - began;
      // The first frame drawn with everything in it: sigma renders on the next animation frame.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const renderMs = performance.now() - began;
      setFigures({
        loadMs: Math.round(loadMs),
        renderMs: Math.round(renderMs),
        twins: progress.loaded,
        at: Date.now(),
      });
      layout.run(settleMs(data.order));
    });
  }

  function submitStart(e: Event): void {
    e.preventDefault();
    if (!modelId) void load({ kind: 'all' });
    else if (where.trim()) {
      const model = info.catalogue.byId.get(modelId);
      const listField = model?.graphqlType ? listFieldOf(info.schema, model.graphqlType) : undefined;
      if (!listField) setError(`The model ${modelId} has no typed list to filter.`);
      else void load({ kind: 'query', modelId, listField, where });
    } else void load({ kind: 'model', modelId });
  }

  const matches = useMemo(() => {
    const text = search.trim().toLowerCase();
    if (!text) return null;
    const found = new Set<string>();
    data.graph.forEachNode((id) => {
      if (id.toLowerCase().includes(text)) found.add(id);
    });
    return found;
  }, [search, data.order]);

  const selectedModel = modelId ? info.catalogue.byId.get(modelId) : undefined;
  const counts = data.countsByModel();

  return (
    <div class="graph-page">
      <aside class="panel start" aria-label="What to show">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (twinId.trim()) select(twinId.trim());
          }}
        >
          <label for="twin-id">Twin id</label>
          <div class="row">
            <input
              id="twin-id"
              value={twinId}
              onInput={(e) => setTwinId(e.currentTarget.value)}
              placeholder="engagement-0007"
            />
            <button type="submit">Open</button>
          </div>
        </form>
        <form onSubmit={submitStart}>
          <label for="start-model">Twins of</label>
          <select id="start-model" value={modelId} onChange={(e) => setModelId(e.currentTarget.value)}>
            <option value="">every model</option>
            {info.catalogue.models.map((m) => (
              <option value={m.id} key={m.id}>
                {modelLabel(m, m.id)} ({m.id})
              </option>
            ))}
          </select>
          {selectedModel?.graphqlType && (
            <>
              <label for="start-where">
                where <span class="muted">({selectedModel.graphqlType}Where, optional)</span>
              </label>
              <textarea
                id="start-where"
                rows={2}
                value={where}
                onInput={(e) => setWhere(e.currentTarget.value)}
                placeholder="{ status: { eq: Active } }"
                spellcheck={false}
              />
            </>
          )}
          <div class="row">
            <button type="submit" data-testid="load">
              Load
            </button>
            <button
              type="button"
              onClick={() => {
                layout.kill();
                data.clear();
                showAll(sigma.current);
                startRef.current = null;
                select(null);
                redrawn();
              }}
            >
              Clear
            </button>
          </div>
        </form>
        <label for="graph-search">Find on screen</label>
        <input
          id="graph-search"
          type="search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && matches?.size) select([...matches][0]!);
          }}
          placeholder="part of an id"
        />
        <p class="stats" data-testid="graph-stats" data-nodes={data.order} data-edges={data.size} aria-live="polite">
          {data.order.toLocaleString('en')} twins · {data.size.toLocaleString('en')} relationships
          {figures.renderMs !== undefined && ` · drawn in ${figures.renderMs.toLocaleString('en')} ms`}
          {matches && ` · ${matches.size} found`}
        </p>
        {busy && (
          <p class="muted" role="status">
            {busy}
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <ul class="legend" aria-label="Colours by model">
          {[...counts].map(([m, n]) => (
            <li key={m}>
              <span class="swatch" style={{ background: info.catalogue.colour(m) }} />
              {modelLabel(info.catalogue.byId.get(m), m)} <span class="muted">{n.toLocaleString('en')}</span>
            </li>
          ))}
        </ul>
      </aside>
      <section class="canvas" aria-label="Twin graph">
        {data.order === 0 && !busy && (
          <div class="empty overlay">
            <p>Nothing on screen yet: open a twin by its id, or load the twins of a model (or every twin).</p>
          </div>
        )}
        <SigmaView
          graph={data.graph}
          selected={twin}
          onSelect={select}
          matches={matches}
          label={`Twin graph: ${data.order} twins, ${data.size} relationships`}
          onRenderer={(r) => (sigma.current = r)}
        />
      </section>
      {twin && (
        <Inspector
          key={twin}
          info={info}
          twinId={twin}
          version={inspectorVersion}
          onSelect={select}
          onExpand={(name) =>
            run(`Expanding ${twin}…`, async () => {
              const added = await expandTwin(data, twin, name);
              if (added) layout.run(settleMs(added * 20));
              if (sigma.current) focusNode(sigma.current, twin);
            })
          }
          onClose={() => select(null)}
        />
      )}
    </div>
  );
}
