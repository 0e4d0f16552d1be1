// One interface: what it extends and what extends it (links), its GraphQL types, and its contents with their
// kind, schema, unit and semantic types, inherited ones marked with the interface they come from.
import { modelLabel, shortId, type ModelInfo } from '../api/models';
import type { ServerInfo } from '../server-info';

function Link(props: { id: string; info: ServerInfo; onSelect: (id: string) => void }) {
  const known = props.info.catalogue.byId.has(props.id);
  if (!known) return <code>{props.id}</code>;
  return (
    <button type="button" class="link" onClick={() => props.onSelect(props.id)} title={props.id}>
      {modelLabel(props.info.catalogue.byId.get(props.id), props.id)}
    </button>
  );
}

function text(value: ModelInfo['description']): string | null {
  if (!value) return null;
  if (typeof value === 'string') return value;
  return value.en ?? Object.values(value)[0] ?? null;
}

export function ModelDetail(props: { info: ServerInfo; model: ModelInfo; onSelect: (id: string) => void }) {
  const { info, model, onSelect } = props;
  const own = model.contents.filter((c) => c.definedIn === model.id);
  const inherited = model.contents.filter((c) => c.definedIn !== model.id);
  const row = (c: ModelInfo['contents'][number]) => (
    <tr key={`${c.definedIn}/${c.name}`} class={c.definedIn !== model.id ? 'inherited' : ''}>
      <th scope="row" title={c.description ?? undefined}>
        {c.name}
        {c.graphqlField && c.graphqlField !== c.name && <span class="type"> field {c.graphqlField}</span>}
      </th>
      <td>{c.kind}</td>
      <td>
        {c.target ? <Link id={c.target} info={info} onSelect={onSelect} /> : c.schema}
        {c.writable === false && c.kind === 'Property' && <span class="muted"> reported</span>}
      </td>
      <td>{[c.unit, ...c.semanticTypes].filter(Boolean).join(', ')}</td>
      <td>{c.definedIn !== model.id ? <span class="badge">from {shortId(c.definedIn)}</span> : null}</td>
    </tr>
  );
  return (
    <article class="model-detail" data-testid="model-detail">
      <h2>{modelLabel(model, model.id)}</h2>
      <p class="muted">
        <code>{model.id}</code>
        {model.graphqlType && (
          <>
            {' '}
            · GraphQL <code data-testid="graphql-type">{model.graphqlType}</code> (interface) and{' '}
            <code>{model.graphqlType}Twin</code>
          </>
        )}
        {model.decommissioned && <span class="badge warn">decommissioned</span>}
      </p>
      {text(model.description) && <p>{text(model.description)}</p>}
      <dl class="inline">
        <dt>Extends</dt>
        <dd>
          {model.extends.length === 0
            ? '—'
            : model.extends.map((id) => (
                <span key={id}>
                  <Link id={id} info={info} onSelect={onSelect} />{' '}
                </span>
              ))}
        </dd>
        <dt>Extended by</dt>
        <dd>
          {model.extendedBy.length === 0
            ? '—'
            : model.extendedBy.slice(0, 40).map((id) => (
                <span key={id}>
                  <Link id={id} info={info} onSelect={onSelect} />{' '}
                </span>
              ))}
          {model.extendedBy.length > 40 && <span class="muted">…and {model.extendedBy.length - 40} more</span>}
        </dd>
      </dl>
      <table class="contents">
        <caption>
          {own.length} own and {inherited.length} inherited contents
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Schema or target</th>
            <th scope="col">Unit, semantic types</th>
            <th scope="col">Inherited</th>
          </tr>
        </thead>
        <tbody>
          {own.map(row)}
          {inherited.map(row)}
        </tbody>
      </table>
    </article>
  );
}
