/**
 * What an operation selects under a connection field, so that the store reads only that: whether any edge's
 * `relationship` is asked for (the relationships a page of related twins came through are otherwise never
 * read), and whether `pageInfo { hasNextPage }` is (otherwise a page reads no more than it shows: its other
 * fields, the cursors of its ends, come from what it shows). Worked out once per field of a parsed document (Apollo keeps parsed documents, and graphql-js hands
 * every parent of a nested list the same field nodes), and cheaply enough to do on every request otherwise.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export interface ConnectionSelection {
  /** Some `edges { relationship }` is selected (through fragments too, whatever their type condition). */
  readonly relationships: boolean;
  /** `pageInfo { hasNextPage }` is selected: whether more exist must be known, which costs reading one more. */
  readonly hasNextPage: boolean;
}

const known = new WeakMap<FieldNode, ConnectionSelection>();

/** The fields named `name` among `set`'s selections, fragments spread in (an upper bound: any type). */
function fieldsNamed(
  set: SelectionSetNode | undefined,
  name: string,
  fragments: GraphQLResolveInfo['fragments'],
  out: FieldNode[],
  visiting: Set<string>,
): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) out.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldsNamed(selection.selectionSet, name, fragments, out, visiting);
    } else {
      const spread = selection.name.value;
      const fragment = fragments[spread];
      // An unknown fragment cannot reach execution (validation refuses it); a cycle neither.
      if (!fragment || visiting.has(spread)) continue;
      visiting.add(spread);
      fieldsNamed(fragment.selectionSet, name, fragments, out, visiting);
      visiting.delete(spread);
    }
  }
  return out;
}

function analyse(nodes: readonly FieldNode[], fragments: GraphQLResolveInfo['fragments']): ConnectionSelection {
  const edges = nodes.flatMap((node) => fieldsNamed(node.selectionSet, 'edges', fragments, [], new Set()));
  const relationships = edges.some(
    (edge) => fieldsNamed(edge.selectionSet, 'relationship', fragments, [], new Set()).length > 0,
  );
  const pageInfos = nodes.flatMap((node) => fieldsNamed(node.selectionSet, 'pageInfo', fragments, [], new Set()));
  const hasNextPage = pageInfos.some(
    (pageInfo) => fieldsNamed(pageInfo.selectionSet, 'hasNextPage', fragments, [], new Set()).length > 0,
  );
  return { relationships, hasNextPage };
}

/** What the operation selects under the connection field being resolved. */
export function connectionSelection(info: GraphQLResolveInfo): ConnectionSelection {
  const nodes = info.fieldNodes;
  // One node (the usual case): the answer belongs to that node of that document. Several nodes merged under
  // one response key are a combination particular to this place in the query: worked out each time.
  if (nodes.length !== 1) return analyse(nodes, info.fragments);
  let selection = known.get(nodes[0]);
  if (!selection) known.set(nodes[0], (selection = analyse(nodes, info.fragments)));
  return selection;
}
