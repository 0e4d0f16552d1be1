// A twin's properties, each typed by its model (unit, semantic type, writable or reported), edited in place.
// An edit is written with the ETag read when it began: if anyone changed the twin since, the server answers
// PreconditionFailed and both versions are shown, to keep theirs or write ours over it knowingly.
import type { ServerInfo } from '../server-info';
import { formatValue } from '../ui/format';
import { enumValuesOf } from './dtdl-schema';
import { EditableValue, usePropertyEdits } from './property-edits';
import { readTwin, writeProperty, type TwinData } from './twin-data';

export function Properties(props: { info: ServerInfo; twin: TwinData; onWritten: () => void }) {
  const { info, twin, onWritten } = props;
  const model = info.catalogue.byId.get(twin.modelId);
  const contents = (model?.contents ?? []).filter((c) => c.kind === 'Property');
  const known = new Set(contents.map((c) => c.name));
  const extra = Object.keys(twin.json).filter(
    (k) => !k.startsWith('$') && !known.has(k) && !model?.contents.some((c) => c.name === k),
  );
  const edits = usePropertyEdits({
    what: 'this twin',
    action: 'Editing a twin',
    write: (name, value, etag, exists) => writeProperty(twin.id, etag, [name], value, exists),
    reread: async (name) => {
      const current = await readTwin(twin.id);
      return current ? { value: current.json[name], etag: current.etag } : undefined;
    },
    onWritten,
  });

  return (
    <section aria-labelledby="props-title">
      <h3 id="props-title">Properties</h3>
      {edits.notices}
      <table class="props">
        <tbody>
          {contents.map((c) => {
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
                  <EditableValue
                    edits={edits}
                    name={c.name}
                    value={twin.json[c.name]}
                    etag={twin.etag}
                    schema={enumValues ? 'Enum' : c.schema}
                    enumValues={enumValues}
                    editorId={`edit-${c.name}`}
                    editorLabel={`New value of ${c.name}`}
                    editLabel={`Edit ${c.name}`}
                    testId={`value-${c.name}`}
                  />
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
