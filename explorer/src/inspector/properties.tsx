// A twin's properties, each typed by its model (unit, semantic type, writable or reported), edited in place.
// An edit is written with the ETag read when it began: if anyone changed the twin since, the server answers
// PreconditionFailed and both versions are shown, to keep theirs or write ours over it knowingly.
import { useState } from 'preact/hooks';
import { GraphQLFailure } from '../api/graphql';
import { refusalMessage } from '../api/refusal';
import type { ModelContent } from '../api/models';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatValue } from '../ui/format';
import { ConflictNotice, type ConflictState } from './conflict';
import { enumValuesOf } from './dtdl-schema';
import { readTwin, writeProperty, type TwinData } from './twin-data';
import { parse, toText, ValueEditor } from './value-editor';

export function Properties(props: { info: ServerInfo; twin: TwinData; onWritten: () => void }) {
  const { info, twin, onWritten } = props;
  const model = info.catalogue.byId.get(twin.modelId);
  const contents = (model?.contents ?? []).filter((c) => c.kind === 'Property');
  const known = new Set(contents.map((c) => c.name));
  const extra = Object.keys(twin.json).filter(
    (k) => !k.startsWith('$') && !known.has(k) && !model?.contents.some((c) => c.name === k),
  );
  const [editing, setEditing] = useState<{ name: string; text: string; etag: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<ConflictState | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(content: ModelContent, value: unknown, etag: string): Promise<void> {
    setSaving(true);
    setError(null);
    try {
      await writeProperty(twin.id, etag, [content.name], value, twin.json[content.name] !== undefined);
      setEditing(null);
      setConflict(null);
      onWritten();
    } catch (e) {
      if (e instanceof GraphQLFailure && e.find('PreconditionFailed')) {
        const current = await readTwin(twin.id);
        setConflict({
          name: content.name,
          mine: value,
          theirs: current?.json[content.name],
          readEtag: etag,
          currentEtag: current?.etag ?? '',
        });
      } else setError(refusalMessage(e, 'Editing a twin') ?? errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section aria-labelledby="props-title">
      <h3 id="props-title">Properties</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {conflict && (
        <ConflictNotice
          what="this twin"
          conflict={conflict}
          saving={saving}
          onKeepTheirs={() => {
            setConflict(null);
            setEditing(null);
            onWritten();
          }}
          onWriteMine={() => {
            const content = contents.find((c) => c.name === conflict.name)!;
            void save(content, conflict.mine, conflict.currentEtag);
          }}
        />
      )}
      <table class="props">
        <tbody>
          {contents.map((c) => {
            const value = twin.json[c.name];
            const isEditing = editing?.name === c.name;
            const enumValues = enumValuesOf(info.catalogue, c.definedIn, c.name);
            return (
              <tr key={c.name} data-property={c.name}>
                <th scope="row" title={c.description ?? undefined}>
                  {c.name}
                  <span class="type">
                    {c.schema}
                    {c.unit && ` · ${c.unit}`}
                    {c.semanticTypes.length > 0 && ` · ${c.semanticTypes.join(', ')}`}
                    {c.writable === false && ' · reported'}
                    {c.definedIn !== twin.modelId && ' · inherited'}
                  </span>
                </th>
                <td>
                  {isEditing ? (
                    <form
                      class="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        try {
                          void save(c, parse(editing.text, enumValues ? 'Enum' : c.schema), editing.etag);
                        } catch (err) {
                          setError(errorMessage(err));
                        }
                      }}
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') setEditing(null);
                      }}
                    >
                      <ValueEditor
                        id={`edit-${c.name}`}
                        label={`New value of ${c.name}`}
                        schema={enumValues ? 'Enum' : c.schema}
                        enumValues={enumValues}
                        value={editing.text}
                        onInput={(text) => setEditing({ ...editing, text })}
                      />
                      <button type="submit" disabled={saving}>
                        Save
                      </button>
                      <button type="button" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <div class="row value">
                      <span class={value === undefined ? 'muted' : ''} data-testid={`value-${c.name}`}>
                        {enumValues
                          ? (enumValues.find((v) => v.value === value)?.label ?? formatValue(value))
                          : formatValue(value)}
                      </span>
                      <button
                        type="button"
                        class="link"
                        aria-label={`Edit ${c.name}`}
                        onClick={() => {
                          setConflict(null);
                          setEditing({ name: c.name, text: toText(value), etag: twin.etag });
                        }}
                      >
                        edit
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
          {extra.map((k) => (
            <tr key={k}>
              <th scope="row">
                {k} <span class="type">not in the model</span>
              </th>
              <td>{formatValue(twin.json[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Components: nested objects with properties of their own, shown as they are. */
export function Components(props: { info: ServerInfo; twin: TwinData }) {
  const model = props.info.catalogue.byId.get(props.twin.modelId);
  const components = (model?.contents ?? []).filter((c) => c.kind === 'Component');
  if (components.length === 0) return null;
  return (
    <section aria-labelledby="components-title">
      <h3 id="components-title">Components</h3>
      {components.map((c) => {
        const value = (props.twin.json[c.name] ?? {}) as Record<string, unknown>;
        const entries = Object.entries(value).filter(([k]) => !k.startsWith('$'));
        return (
          <details key={c.name} open>
            <summary>
              {c.name} <span class="type">{c.target}</span>
            </summary>
            {entries.length === 0 ? (
              <p class="muted">No properties set.</p>
            ) : (
              <table class="props">
                <tbody>
                  {entries.map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>{formatValue(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </details>
        );
      })}
    </section>
  );
}
