// The models view: the model graph of whatever is uploaded (extends and relationship targets), a searchable
// list of the interfaces, the selected interface's contents, and the DTDL upload. The selection is the
// address (#/models?model=dtmi), so the back button and links from the twin inspector work.
import type Sigma from 'sigma';
import { useMemo, useRef, useState } from 'preact/hooks';
import { modelLabel } from '../api/models';
import { focusNode, SigmaView } from '../graph/sigma-view';
import { navigate } from '../route';
import type { ServerInfo } from '../server-info';
import { ModelDetail } from './model-detail';
import { modelGraph } from './model-graph';
import { Upload } from './upload';

export interface ModelsPageProps {
  readonly info: ServerInfo;
  readonly selected: string | null;
}

export function ModelsPage({ info, selected }: ModelsPageProps) {
  const graph = useMemo(() => modelGraph(info.catalogue), [info.catalogue]);
  const sigma = useRef<Sigma | null>(null);
  const [search, setSearch] = useState('');
  const [uploading, setUploading] = useState(false);
  const select = (id: string | null) => {
    navigate('models', id ? { model: id } : {});
    if (id && sigma.current) focusNode(sigma.current, id);
  };

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
          placeholder="name or DTMI"
        />
        <p class="muted" aria-live="polite">
          {matches ? `${listed.length} of ${info.catalogue.models.length}` : info.catalogue.models.length} models
        </p>
        <ul class="model-list">
          {listed.slice(0, 300).map((m) => (
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
          {listed.length > 300 && <li class="muted">…and {listed.length - 300} more: narrow the search</li>}
        </ul>
      </aside>
      <section class="canvas" aria-label="Model graph">
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
          label={`Model graph: ${graph.order} interfaces, ${graph.size} extends and relationship edges`}
          onRenderer={(r) => (sigma.current = r)}
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
