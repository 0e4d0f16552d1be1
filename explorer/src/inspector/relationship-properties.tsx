// One relationship's own properties, edited in place like a twin's: typed by what the relationship declares in
// its source's model, written with updateRelationship and the relationship's ETag as ifMatch, so that an edit
// made on a stale read is refused and both versions are shown (keep theirs, or write yours over theirs).
import { useState } from 'preact/hooks';
import { GraphQLFailure } from '../api/graphql';
import { refusalMessage } from '../api/refusal';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatValue } from '../ui/format';
import { ConflictNotice, type ConflictState } from './conflict';
import { relationshipPropertiesOf, type PropertySchema } from './dtdl-schema';
import { readRelationship, writeRelationshipProperty, type TwinRelationship } from './twin-data';
import { parse, toText, ValueEditor } from './value-editor';

/** Whether a relationship has properties to show: declared by its model, or set on it all the same. */
export function hasProperties(info: ServerInfo, r: TwinRelationship): boolean {
  const own = Object.keys(r.properties ?? {}).some((k) => !k.startsWith('$'));
  return own || (!!r.sourceModelId && relationshipPropertiesOf(info.catalogue, r.sourceModelId, r.name).length > 0);
}

export function RelationshipProperties(props: {
  info: ServerInfo;
  relationship: TwinRelationship;
  /** "covers → asset-0001": names the relationship to screen readers in every label. */
  title: string;
  onWritten: () => void;
}) {
  const { info, relationship: r, title, onWritten } = props;
  const declared = r.sourceModelId ? relationshipPropertiesOf(info.catalogue, r.sourceModelId, r.name) : [];
  const known = new Set(declared.map((p) => p.name));
  const extra = Object.keys(r.properties ?? {}).filter((k) => !k.startsWith('$') && !known.has(k));
  const [editing, setEditing] = useState<{ name: string; text: string; etag: string } | null>(null);
  const [conflict, setConflict] = useState<ConflictState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(p: PropertySchema, value: unknown, etag: string, exists: boolean): Promise<void> {
    setSaving(true);
    setError(null);
    try {
      await writeRelationshipProperty(r, etag, p.name, value, exists);
      setEditing(null);
      setConflict(null);
      onWritten();
    } catch (e) {
      if (e instanceof GraphQLFailure && e.find('PreconditionFailed')) {
        const current = await readRelationship(r.sourceId, r.id);
        setConflict({
          name: p.name,
          mine: value,
          theirs: current?.properties[p.name],
          readEtag: etag,
          currentEtag: current?.etag ?? '',
        });
      } else setError(refusalMessage(e, 'Editing a relationship') ?? errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div class="rel-props" data-testid="relationship-properties">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {conflict && (
        <ConflictNotice
          what="this relationship"
          conflict={conflict}
          saving={saving}
          onKeepTheirs={() => {
            setConflict(null);
            setEditing(null);
            onWritten();
          }}
          onWriteMine={() => {
            const p = declared.find((d) => d.name === conflict.name)!;
            void save(p, conflict.mine, conflict.currentEtag, conflict.theirs !== undefined);
          }}
        />
      )}
      <table class="props compact">
        <tbody>
          {declared.map((p) => {
            const value = r.properties?.[p.name];
            const shown = p.enumValues
              ? (p.enumValues.find((v) => v.value === value)?.label ?? formatValue(value))
              : formatValue(value);
            return (
              <tr key={p.name}>
                <th scope="row">
                  {p.name}
                  <span class="type">{p.schema}</span>
                </th>
                <td>
                  {editing?.name === p.name ? (
                    <form
                      class="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        try {
                          void save(p, parse(editing.text, p.schema), editing.etag, value !== undefined);
                        } catch (err) {
                          setError(errorMessage(err));
                        }
                      }}
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') setEditing(null);
                      }}
                    >
                      <ValueEditor
                        id={`edit-rel-${r.sourceId}-${r.id}-${p.name}`}
                        label={`New value of ${p.name} of ${title}`}
                        schema={p.schema}
                        enumValues={p.enumValues}
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
                      <span class={value === undefined ? 'muted' : ''} data-testid={`rel-value-${p.name}`}>
                        {shown}
                      </span>
                      <button
                        type="button"
                        class="link"
                        aria-label={`Edit ${p.name} of ${title}`}
                        onClick={() => {
                          setConflict(null);
                          setEditing({ name: p.name, text: toText(value), etag: r.etag });
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
              <td>{formatValue(r.properties[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
