// A twin's relationships both ways, grouped by name: each other twin a link (selects it in the graph), each name
// a button that brings that name's neighbours into the graph, and each relationship's own properties, edited
// in place (relationship-properties.tsx).
import type { ServerInfo } from '../server-info';
import { hasProperties, RelationshipProperties } from './relationship-properties';
import type { TwinData, TwinRelationship } from './twin-data';

function groups(list: TwinRelationship[]): Map<string, TwinRelationship[]> {
  const out = new Map<string, TwinRelationship[]>();
  for (const r of list) {
    const group = out.get(r.name) ?? [];
    group.push(r);
    out.set(r.name, group);
  }
  return out;
}

const SHOWN = 25;

export function Relationships(props: {
  info: ServerInfo;
  twin: TwinData;
  onSelect: (id: string) => void;
  onExpand: (name?: string) => void;
  onWritten: () => void;
}) {
  const { info, twin, onSelect, onExpand, onWritten } = props;
  const outgoing = groups(twin.relationships);
  const incoming = groups(twin.incomingRelationships);
  const list = (rs: TwinRelationship[], outward: boolean) => (
    <ul class="rels">
      {rs.slice(0, SHOWN).map((r) => {
        const other = outward ? r.targetId : r.sourceId;
        const title = outward ? `${r.name} to ${other}` : `${r.name} from ${other}`;
        return (
          <li key={`${r.sourceId}/${r.id}`} data-relationship={`${r.sourceId}/${r.id}`}>
            <button type="button" class="link" onClick={() => onSelect(other)}>
              {other}
            </button>
            {hasProperties(info, r) && (
              <RelationshipProperties info={info} relationship={r} title={title} onWritten={onWritten} />
            )}
          </li>
        );
      })}
      {rs.length > SHOWN && <li class="muted">…and {rs.length - SHOWN} more</li>}
    </ul>
  );
  return (
    <section aria-labelledby="rels-title">
      <div class="row spread">
        <h3 id="rels-title">Relationships</h3>
        <button type="button" onClick={() => onExpand()} data-testid="expand-all">
          Expand all
        </button>
      </div>
      {outgoing.size === 0 && incoming.size === 0 && <p class="muted">None.</p>}
      {[...outgoing].map(([name, rs]) => (
        <details key={`out-${name}`} open={rs.length <= 5}>
          <summary>
            {name} → <span class="muted">{rs.length}</span>{' '}
            <button type="button" class="small" onClick={() => onExpand(name)} data-testid={`expand-${name}`}>
              expand
            </button>
          </summary>
          {list(rs, true)}
        </details>
      ))}
      {[...incoming].map(([name, rs]) => (
        <details key={`in-${name}`} open={rs.length <= 5}>
          <summary>
            ← {name} <span class="muted">{rs.length}</span>{' '}
            <button type="button" class="small" onClick={() => onExpand(name)}>
              expand
            </button>
          </summary>
          {list(rs, false)}
        </details>
      ))}
    </section>
  );
}
