// One relationship's own properties, edited in place like a twin's: typed by what the relationship declares in
// its source's model, written with updateRelationship and the relationship's ETag as ifMatch, so that an edit
// made on a stale read is refused and both versions are shown (keep theirs, or write yours over theirs).
import type { ServerInfo } from '../server-info';
import { formatValue } from '../ui/format';
import { relationshipPropertiesOf } from './dtdl-schema';
import { EditableValue, usePropertyEdits } from './property-edits';
import { readRelationship, writeRelationshipProperty, type TwinRelationship } from './twin-data';

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
  const edits = usePropertyEdits({
    what: 'this relationship',
    action: 'Editing a relationship',
    write: (name, value, etag, exists) => writeRelationshipProperty(r, etag, name, value, exists),
    reread: async (name) => {
      const current = await readRelationship(r.sourceId, r.id);
      return current ? { value: current.properties[name], etag: current.etag } : undefined;
    },
    onWritten,
  });

  return (
    <div class="rel-props" data-testid="relationship-properties">
      {edits.notices}
      <table class="props compact">
        <tbody>
          {declared.map((p) => (
            <tr key={p.name}>
              <th scope="row">
                {p.name}
                <span class="type">{p.schema}</span>
              </th>
              <td>
                <EditableValue
                  edits={edits}
                  name={p.name}
                  value={r.properties?.[p.name]}
                  etag={r.etag}
                  schema={p.schema}
                  enumValues={p.enumValues}
                  editorId={`edit-rel-${r.sourceId}-${r.id}-${p.name}`}
                  editorLabel={`New value of ${p.name} of ${title}`}
                  editLabel={`Edit ${p.name} of ${title}`}
                  testId={`rel-value-${p.name}`}
                />
              </td>
            </tr>
          ))}
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
