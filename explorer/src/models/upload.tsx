// Upload DTDL: a document typed, pasted or dropped (a .json file) into the editor, sent as its text to
// uploadModels, so that the engine's line and column are the editor's. Errors are shown in the editor at
// their place and listed below it (each a link to its place); an upload that passes lists the models it
// added with their new GraphQL types, which the schema then serves at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EditorView } from '@codemirror/view';
import { GraphQLFailure, gql } from '../api/graphql';
import { errorMessage } from '../ui/format';
import { createEditor, goTo, showErrors, type Located } from './dtdl-editor';

interface DtdlError {
  validationId?: string;
  cause: string;
  action?: string;
  primaryId?: string;
  line?: number;
  column?: number;
  document?: number;
}

const UPLOAD = `mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id graphqlType } } }`;

const EXAMPLE = `{
  "@context": "dtmi:dtdl:context;3",
  "@id": "dtmi:example:Room;1",
  "@type": "Interface",
  "displayName": "Room",
  "contents": [
    { "@type": "Property", "name": "name", "schema": "string" },
    { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" }
  ]
}
`;

export interface UploadProps {
  readonly onUploaded: (ids: string[]) => void;
}

export function Upload(props: UploadProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const text = useRef(EXAMPLE);
  const [errors, setErrors] = useState<(DtdlError & { line?: number })[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [added, setAdded] = useState<{ id: string; graphqlType: string | null }[]>([]);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!host.current) return;
    view.current = createEditor(host.current, text.current, (t) => (text.current = t));
    return () => view.current?.destroy();
  }, []);

  function setText(t: string): void {
    text.current = t;
    const v = view.current;
    v?.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
    setErrors([]);
    setMessage(null);
  }

  async function upload(): Promise<void> {
    setBusy(true);
    setErrors([]);
    setMessage(null);
    setAdded([]);
    try {
      const data = await gql<{ uploadModels: { models: { id: string; graphqlType: string | null }[] } }>(UPLOAD, {
        documents: [text.current],
      });
      setAdded(data.uploadModels.models);
      if (view.current) showErrors(view.current, []);
      props.onUploaded(data.uploadModels.models.map((m) => m.id));
    } catch (e) {
      const parser = e instanceof GraphQLFailure ? e.find('DTDLParserError') : undefined;
      const found = (parser?.extensions?.dtdlErrors as DtdlError[] | undefined) ?? [];
      setErrors(found);
      setMessage(found.length ? `${found.length} error${found.length === 1 ? '' : 's'} in the DTDL:` : errorMessage(e));
      const located: Located[] = found
        .filter((d) => d.line !== undefined)
        .map((d) => ({ line: d.line!, column: d.column, message: `${d.cause}${d.action ? ` ${d.action}` : ''}` }));
      if (view.current) showErrors(view.current, located);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="upload" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload DTDL</h2>
      <p class="muted">Type or paste an interface (or an array of them), or drop a .json file on the editor.</p>
      <div
        class={`editor${dragging ? ' dragging' : ''}`}
        ref={host}
        data-testid="dtdl-editor"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer?.files[0];
          if (file) void file.text().then(setText);
        }}
      />
      <div class="row">
        <button type="button" onClick={upload} disabled={busy} data-testid="upload">
          {busy ? 'Uploading…' : 'Upload'}
        </button>
        <label class="file">
          Open a file…{' '}
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => void e.currentTarget.files?.[0]?.text().then(setText)}
          />
        </label>
      </div>
      {message && (
        <div role="alert" class="error" data-testid="upload-errors">
          <p>{message}</p>
          <ul>
            {errors.map((d, i) => (
              <li key={i}>
                {d.line !== undefined ? (
                  <button
                    type="button"
                    class="link"
                    onClick={() => view.current && goTo(view.current, d.line!, d.column)}
                  >
                    line {d.line}, column {d.column ?? 1}
                  </button>
                ) : (
                  <span>(no position)</span>
                )}
                : {d.cause} {d.action && <span class="muted">{d.action}</span>}{' '}
                {d.validationId && <code class="muted">{d.validationId}</code>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {added.length > 0 && (
        <div role="status" class="ok" data-testid="upload-result">
          <p>Uploaded:</p>
          <ul>
            {added.map((m) => (
              <li key={m.id}>
                <code>{m.id}</code> → GraphQL type <code>{m.graphqlType ?? '—'}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
