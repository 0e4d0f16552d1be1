/**
 * Whether an identity may run an operation, decided before it runs and the same for HTTP and WebSocket:
 * every root field the operation selects (through fragments too) needs the role its field declares
 * (../graphql/access.ts), introspection a reader. Anonymous callers, where authentication is required, are
 * refused as UNAUTHENTICATED (HTTP 401); an identity without a role a field needs, as FORBIDDEN (HTTP 403),
 * naming every such field and the role it needs. The whole operation is refused, so nothing of it runs.
 */
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { hasRole, type Identity, type Role } from '../access/identity';
import type { Authenticator } from '../access/authenticate';
import { roleOfField } from '../graphql/access';
import type { OperationLimits } from './operation-limits';

/** What both transports check callers and operations with. */
export interface ApiGuards {
  readonly auth: Authenticator;
  readonly limits: OperationLimits;
}

/** The root field names an operation selects (aliases resolved to fields, fragments followed). */
export function rootFieldsOf(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (selections: SelectionSetNode): void => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return names;
}

export interface Refusal {
  readonly field: string;
  readonly role: Role;
}

/**
 * Each root field an operation selects with the role it needs, by operation: a document Apollo keeps (with
 * its fragments, see `fragmentsOf`) is checked against each caller without walking it again.
 */
const neededRoles = new WeakMap<
  OperationDefinitionNode,
  {
    schema: GraphQLSchema;
    fragments: Readonly<Record<string, FragmentDefinitionNode>>;
    needs: readonly Readonly<Refusal>[];
  }
>();

function rolesNeeded(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): readonly Readonly<Refusal>[] {
  const known = neededRoles.get(operation);
  if (known && known.schema === schema && known.fragments === fragments) return known.needs;
  const root = schema.getRootType(operation.operation);
  const needs: Refusal[] = [];
  for (const name of rootFieldsOf(operation, fragments)) {
    if (name === '__typename') continue;
    const field = root?.getFields()[name];
    // Introspection, and fields the schema lacks (validation has refused those already), need a reader.
    needs.push({ field: name, role: field ? roleOfField(operation.operation, field) : 'reader' });
  }
  neededRoles.set(operation, { schema, fragments, needs });
  return needs;
}

/** The root fields of `operation` that `identity` lacks the role for. */
export function refusedFields(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  identity: Identity,
): Refusal[] {
  const refused: Refusal[] = [];
  for (const need of rolesNeeded(schema, operation, fragments))
    if (!hasRole(identity.role, need.role)) refused.push({ field: need.field, role: need.role });
  return refused;
}

/** The error refusing an operation, or undefined when `identity` may run it. */
export function authorizeOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  identity: Identity | undefined,
): GraphQLError | undefined {
  if (!identity) return unauthenticatedError();
  const refused = refusedFields(schema, operation, fragments, identity);
  if (refused.length === 0) return undefined;
  const who = `${identity.via === 'key' ? 'API key' : 'token of'} '${identity.name}' ${identity.role ? `has the ${identity.role} role` : 'has no role'}`;
  const what = refused.map((r) => `${r.field} needs the ${r.role} role`).join('; ');
  return new GraphQLError(`Forbidden: ${what}; the ${who}.`, {
    extensions: { code: 'FORBIDDEN', refused, http: { status: 403 } },
  });
}

export function unauthenticatedError(message?: string): GraphQLError {
  return new GraphQLError(
    message ??
      'This server requires authentication: send "Authorization: Bearer <token or API key>" (over WebSocket, in connection_init\'s payload as { "authorization": … }).',
    {
      extensions: {
        code: 'UNAUTHENTICATED',
        http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) },
      },
    },
  );
}

/**
 * The fragments of a document by name, kept per document (by its definitions: Apollo keeps the documents it
 * parsed, so a query sent again finds them made), which is what lets the checks above and the cost estimate
 * (./cost.ts) keep what they worked out per operation.
 */
const fragmentMaps = new WeakMap<readonly { kind: Kind }[], Readonly<Record<string, FragmentDefinitionNode>>>();

export function fragmentsOf(definitions: readonly { kind: Kind }[]): Readonly<Record<string, FragmentDefinitionNode>> {
  let fragments = fragmentMaps.get(definitions);
  if (fragments) return fragments;
  const made: Record<string, FragmentDefinitionNode> = {};
  for (const d of definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION)
      made[(d as FragmentDefinitionNode).name.value] = d as FragmentDefinitionNode;
  fragments = Object.freeze(made);
  fragmentMaps.set(definitions, fragments);
  return fragments;
}
