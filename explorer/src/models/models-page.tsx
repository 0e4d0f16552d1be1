// The models view: the model graph of whatever is uploaded (extends and relationship targets), a searchable
// list of the interfaces, the selected interface's contents, and the DTDL upload (its editor loaded when first
// opened: most of the view's code, and not needed to look at the models). The selection is the address
// (#/models?model=dtmi), so the back button and links from the twin inspector work.
import type Sigma from 'sigma';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { modelLabel } from '../api/models';
import { focusNode, SigmaView } from '../graph/sigma-view';
import { navigate } from '../route';
import type { ServerInfo } from '../server-info';
import { lazyView } from '../ui/lazy';
import { exposeModelGraph, type ModelGraphFigures } from './model-figures';
import { ModelDetail } from './model-detail';
import { modelGraph } from './model-graph';
import type { UploadProps } from './upload';

const Upload = lazyView<UploadProps>(() => import('./upload').then((m) => m.Upload));

export interface ModelsPageProps {
  readonly info: ServerInfo;
  readonly selected: string | null;
}

/** The interfaces listed at once; a search narrows a larger set. */
const LISTED = 300;

export function ModelsPage({ info, selected }: ModelsPageProps) {
  const asked = useRef(performance.now());
  const [figures, setFigures] = useState<ModelGraphFigures>({});
  const { graph, layoutMs } = useMemo(() => {
    const began = performance.now();
    asked.current = began;
    const g = modelGraph(info.catalogue);
    return { graph: g, layoutMs: Math.round(performance.now() - began) };
  }, [info.catalogue]);
  const sigma = useRef<Sigma | null>(null);
  const [search, setSearch] = useState('');
  const [uploading, setUploading] = useState(false);
  const select = (id: string | null) => {
    navigate('models', id ? { model: id } : {});
    if (id && sigma.current) focusNode(sigma.current, id);
  };

  useEffect(() => setFigures((f) => ({ layoutMs, renderMs: f.renderMs })), [graph]);
  useEffect(
    () =>
      exposeModelGraph(
        graph,
        () => sigma.current,
        () => figures,
      ),
    [graph, figures],
  );

  const matches = useMemo(() => {
    const text = search.trim().toLowerCase();
    if (!text) return null;
    return new Set(
      info.catalogue.models
        .filter((m) => m.id.toLowerCase().includes(text) || modelLabel(m, m.id).toLowerCase().includes(text))
        .map((m) => m.id),
    );
  }, [search, info.catalogue]);
  const listed = info.catalogue.models.filter((m) => !matches || matches.has(m.id));
  const model = selected ? info.catalogue.byId.get(selected) : undefined;

  return (
    <div class="models-page">
      <aside class="panel start" aria-label="Models">
        <button
          type="button"
          onClick={() => setUploading((u) => !u)}
          aria-expanded={uploading}
          data-testid="open-upload"
        >
          {uploading ? 'Close the upload' : 'Upload DTDL…'}
        </button>
        <label for="model-search">Search models</label>
        <input
          id="model-search"
          type="search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter opens the first match, as a search box in a list of results does.
            if (e.key === 'Enter' && listed[0]) select(listed[0].id);
          }}
          placeholder="name or DTMI"
          aria-describedby="model-count"
        />
        <p class="muted" id="model-count" aria-live="polite" data-testid="model-count">
          {matches
            ? `${listed.length} of ${info.catalogue.models.length} models${listed.length ? ' (Enter opens the first)' : ''}`
            : `${info.catalogue.models.length} models`}
        </p>
        <ul class="model-list">
          {listed.slice(0, LISTED).map((m) => (
            <li key={m.id}>
              <button
                type="button"
                class="link"
                aria-current={m.id === selected ? 'true' : undefined}
                onClick={() => select(m.id)}
                title={m.id}
              >
                <span class="swatch" style={{ background: info.catalogue.colour(m.id) }} />
                {modelLabel(m, m.id)}
              </button>
            </li>
          ))}
          {listed.length > LISTED && <li class="muted">…and {listed.length - LISTED} more: narrow the search</li>}
        </ul>
      </aside>
      <section
        class="canvas"
        aria-label="Model graph"
        data-testid="model-graph"
        data-nodes={graph.order}
        data-edges={graph.size}
        data-layout-ms={figures.layoutMs}
        data-render-ms={figures.renderMs}
      >
        {info.catalogue.models.length === 0 && (
          <div class="empty overlay">
            <p>No models uploaded yet: upload DTDL to begin.</p>
          </div>
        )}
        <SigmaView
          graph={graph}
          selected={selected}
          onSelect={(id) => select(id)}
          matches={matches}
          edgeLabels
          allLabels={graph.order <= 60}
          label={`Model graph: ${graph.order} interfaces, ${graph.size} extends and relationship edges. The list beside it holds the same interfaces.`}
          onRenderer={(r) => {
            sigma.current = r;
            if (!r) return;
            // The first frame with the whole graph: sigma draws on the next animation frame.
            requestAnimationFrame(() =>
              requestAnimationFrame(() =>
                setFigures((f) => ({ ...f, renderMs: Math.round(performance.now() - asked.current) })),
              ),
            );
            if (selected && graph.hasNode(selected)) focusNode(r, selected);
          }}
        />
      </section>
      {(uploading || model) && (
        <aside class="panel inspector">
          {uploading && <Upload onUploaded={(ids) => ids[0] && navigate('models', { model: ids[0] })} />}
          {model && <ModelDetail info={info} model={model} onSelect={select} />}
        </aside>
      )}
    </div>
  );
}
