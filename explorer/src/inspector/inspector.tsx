// The inspector of one twin: its model, ETag and time, then properties (editable), components, relationships
// (their properties editable), telemetry, predictions and history. It reads the twin again whenever the twin
// changes (the graph tells it, from the live feed) so what is shown is never older than what the graph flashed.
import { useEffect, useState } from 'preact/hooks';
import { modelLabel } from '../api/models';
import { navigate } from '../route';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatTime } from '../ui/format';
import { History } from './history';
import { Predictions } from './predictions';
import { Components, Properties } from './properties';
import { Relationships } from './relationships';
import { Telemetry } from './telemetry';
import { readTwin, type TwinData } from './twin-data';

export interface InspectorProps {
  readonly info: ServerInfo;
  readonly twinId: string;
  /** Bumped when the twin changed on the server. */
  readonly version: number;
  readonly onSelect: (id: string) => void;
  readonly onExpand: (name?: string) => void;
  readonly onClose: () => void;
}

export function Inspector(props: InspectorProps) {
  const { info, twinId } = props;
  const [twin, setTwin] = useState<TwinData | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);

  useEffect(() => {
    let current = true;
    readTwin(twinId).then(
      (t) => current && (setTwin(t), setError(null)),
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [twinId, props.version, reads]);

  const model = twin ? info.catalogue.byId.get(twin.modelId) : undefined;
  return (
    <aside class="panel inspector" aria-label={`Twin ${twinId}`} data-testid="inspector">
      <div class="row spread">
        <h2>{twinId}</h2>
        <button type="button" onClick={props.onClose} aria-label="Close the inspector">
          ✕
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {twin === null && <p class="empty">There is no twin '{twinId}' (any more).</p>}
      {twin === undefined && !error && <p class="muted">Reading…</p>}
      {twin && (
        <>
          <p class="meta">
            <span class="swatch" style={{ background: info.catalogue.colour(twin.modelId) }} />
            <a
              href={`#/models?${new URLSearchParams({ model: twin.modelId })}`}
              onClick={(e) => (e.preventDefault(), navigate('models', { model: twin.modelId }))}
            >
              {modelLabel(model, twin.modelId)}
            </a>{' '}
            <span class="muted">
              {twin.modelId} · ETag <code data-testid="etag">{twin.etag}</code> · {formatTime(twin.lastUpdateTime)}
            </span>
          </p>
          <Properties info={info} twin={twin} onWritten={() => setReads((r) => r + 1)} />
          <Components info={info} twin={twin} />
          <Relationships
            info={info}
            twin={twin}
            onSelect={props.onSelect}
            onExpand={props.onExpand}
            onWritten={() => setReads((r) => r + 1)}
          />
          <Telemetry info={info} twinId={twin.id} modelId={twin.modelId} version={props.version} />
          <Predictions info={info} twinId={twin.id} modelId={twin.modelId} version={props.version} />
          <History twinId={twin.id} schema={info.schema} />
        </>
      )}
    </aside>
  );
}
