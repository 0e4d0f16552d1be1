/**
 * When two subscribers of the change feed may share one GraphQL execution per change
 * (./subscription-groups.ts): exactly when everything the execution reads is equal. What it reads is the event
 * (the change, mapped by the root field's arguments), the schema, the document, the operation name, the
 * variables, and the context, whose only per-subscriber parts that resolvers read are the identity's role and
 * its model scope (./scope.ts narrows every read to it; the analytics read `identity.models`). The identity's
 * name is read only as the actor of writes, which a subscription's selection cannot make, so subscribers of
 * different partners with the same role and scope share; its expiry is the transports' to enforce, each
 * subscriber on its own.
 *
 * The inputs are built here, and the key is made of them alone, so that sharing is safe by construction: the
 * group runs its execution with these inputs, never with one subscriber's. One argument is taken out: `since`
 * of the root field, which only chooses where a subscriber's own stream of changes starts (see ChangeStream in
 * src/graphql/changes/change-values.ts), so that a subscriber resuming with `since` joins the live ones.
 */
import {
  Kind,
  getOperationAST,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Identity } from '../access/identity';

/** The inputs of a group's execution, and the key subscribers with equal inputs have in common. */
export interface SharedExecution {
  readonly key: string;
  readonly schema: GraphQLSchema;
  /** The subscriber's operation (without the root field's `since`) and the document's fragments. */
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  /** The values of the variables `document` still uses. */
  readonly variableValues: Readonly<Record<string, unknown>>;
  /** Who the group's executions run as: the role and scope the key holds, and nothing else of anyone's. */
  readonly identity: Identity;
}

/** Schemas by number: a model upload makes a new schema, and subscribers on the old one keep to theirs. */
const schemaIds = new WeakMap<GraphQLSchema, number>();
let schemasSeen = 0;

function schemaId(schema: GraphQLSchema): number {
  let id = schemaIds.get(schema);
  if (id === undefined) schemaIds.set(schema, (id = ++schemasSeen));
  return id;
}

/**
 * The shared execution of the subscription `args` describes, run by `identity`; undefined when the arguments
 * carry something this module does not account for (custom resolvers, no single operation), so that such a
 * subscriber runs its own.
 */
export function sharedExecution(args: ExecutionArgs, identity: Identity): SharedExecution | undefined {
  if (args.fieldResolver || args.typeResolver || args.subscribeFieldResolver) return undefined;
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'subscription') return undefined;
  const fragments = args.document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const shared = withoutSince(operation, fragments);
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [shared, ...fragments] };
  const given = args.variableValues ?? {};
  // Without a prototype: a variable may be called $__proto__.
  const variableValues = Object.create(null) as Record<string, unknown>;
  for (const definition of shared.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.prototype.hasOwnProperty.call(given, name)) variableValues[name] = given[name];
  }
  const variables = canonicalJson(variableValues);
  if (variables === undefined) return undefined;
  const models = identity.models ? [...new Set(identity.models)].sort() : undefined;
  const visibility = [identity.via, identity.role ?? null, models ?? null];
  const key = `${schemaId(args.schema)}\n${JSON.stringify(visibility)}\n${variables}\n${print(document)}`;
  return {
    key,
    schema: args.schema,
    document,
    operationName: shared.name?.value,
    variableValues,
    identity: Object.freeze({
      name: 'subscription group',
      via: identity.via,
      ...(identity.role !== undefined && { role: identity.role }),
      ...(models && { models: Object.freeze(models) }),
    }),
  };
}

/**
 * The operation without its root field's `since` argument, and without the variables only that argument used
 * (a required one left declared would fail the execution). An operation whose root field sits in a fragment is
 * left as it is: such subscribers share only with the same `since`.
 */
function withoutSince(
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
): OperationDefinitionNode {
  const selections = operation.selectionSet.selections;
  const root = selections[0];
  if (selections.length !== 1 || root.kind !== Kind.FIELD || !root.arguments?.some(isSince)) return operation;
  const stripped: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      ...operation.selectionSet,
      selections: [{ ...root, arguments: root.arguments.filter((a) => !isSince(a)) }],
    },
  };
  const used = variablesUsed([stripped.selectionSet, ...(stripped.directives ?? []), ...fragments]);
  return {
    ...stripped,
    variableDefinitions: operation.variableDefinitions?.filter((d) => used.has(d.variable.name.value)),
  };
}

function isSince(argument: { readonly name: { readonly value: string } }): boolean {
  return argument.name.value === 'since';
}

function variablesUsed(nodes: readonly ASTNode[]): Set<string> {
  const used = new Set<string>();
  for (const node of nodes)
    visit(node, {
      Variable: (variable) => {
        used.add(variable.name.value);
      },
    });
  return used;
}

/**
 * The variables as text with object keys sorted, so that equal variables make equal keys whatever order the
 * client sent them in; undefined for anything a JSON message cannot carry (an in-process caller's Date, say),
 * whose equality this does not judge: its subscriber runs its own. `undefined` and -0 are told apart from
 * absent and null, and from 0, as GraphQL's coercion could.
 */
function canonicalJson(value: unknown): string | undefined {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : undefined;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = canonicalJson(value[i]);
      if (item === undefined) return undefined;
      items.push(item);
    }
    return `[${items.join(',')}]`;
  }
  if (typeof value !== 'object') return undefined;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const fields: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const field = canonicalJson((value as Record<string, unknown>)[name]);
    if (field === undefined) return undefined;
    fields.push(`${JSON.stringify(name)}:${field}`);
  }
  return `{${fields.join(',')}}`;
}
