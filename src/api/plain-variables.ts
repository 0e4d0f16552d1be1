/**
 * Batch writes' list variables, passed to the resolvers as they were sent when graphql-js would only have
 * copied them. graphql-js coerces every variable against its declared type before running an operation:
 * for `[TwinPatchInput!]!` that is a thousand input objects, each copied field by field into a dictionary
 * object, each field value checked through a dozen type tests — about a tenth of a batch write's CPU, for
 * values JSON.parse has just made and that come out equal. Here such a variable's value is checked against
 * its type (`plain`): when every value in it is one coercion returns unchanged (strings for String and ID,
 * booleans, enum names that are their own values, JSON values within the depth limit, objects with known
 * fields only and every required one, lists that are arrays), the operation runs with a copy of its document
 * in which that variable is declared `JSON!` — whose coercion takes the value as it is, after the same depth
 * check — so the resolvers get the very value graphql-js would have made an equal copy of. Anything else (an
 * integer ID, a missing field, an unknown one, a default value, a value nested too deep) is left to
 * graphql-js, which coerces it or refuses it with its own words, exactly as before: this only ever skips the
 * copying of a value that is valid.
 *
 * Only variables that are lists of input objects (the batch mutations' items) are looked at; the checks that
 * read the variables (authorization, cost) have run on the operation as sent.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  GraphQLString,
  Kind,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';
import { JSONScalar, jsonDepthOver, MAX_JSON_DEPTH } from '../graphql/scalars';

/**
 * The Apollo plugin: when an operation that passed every check (didResolveOperation) starts to execute, it
 * runs with the copy of its document if it has plain list variables. A refused operation is never looked at.
 */
export function plainVariables(): ApolloServerPlugin {
  const listener: GraphQLRequestListener<never> = {
    executionDidStart: async (requestContext) => {
      const { schema, document, operation, request } = requestContext;
      const copy = plainVariablesDocument(schema, document, operation, request.variables);
      // Apollo executes with the context's document as it is once these hooks have run.
      if (copy) (requestContext as { document: DocumentNode }).document = copy;
    },
  };
  return { requestDidStart: async () => listener };
}

/** What a plain variable is declared as in the copy: JSON's coercion returns the value after its depth check. */
const AS_IS: TypeNode = {
  kind: Kind.NON_NULL_TYPE,
  type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: JSONScalar.name } },
};

/** The copies made, by original document and by the operation and variables redeclared. */
const copies = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

/**
 * The document to run `operation` with so that graphql-js takes its plain list variables as they are, or
 * undefined when none is plain (run the document as it is).
 */
export function plainVariablesDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): DocumentNode | undefined {
  if (!variables || !operation.variableDefinitions?.length || !isJson(schema.getType(JSONScalar.name)))
    return undefined;
  let plainOnes: string[] | undefined;
  for (const definition of operation.variableDefinitions) {
    const name = definition.variable.name.value;
    const value = variables[name];
    if (!Array.isArray(value) || definition.defaultValue !== undefined) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type || !isListOfInputObjects(type)) continue;
    if (plain(value, type) && !jsonDepthOver(value, MAX_JSON_DEPTH)) (plainOnes ??= []).push(name);
  }
  if (!plainOnes) return undefined;
  let byKey = copies.get(document);
  if (!byKey) copies.set(document, (byKey = new Map()));
  const key = `${operation.name?.value ?? ''}\n${plainOnes.join('\n')}`;
  let copy = byKey.get(key);
  if (!copy) byKey.set(key, (copy = redeclared(document, operation, new Set(plainOnes))));
  return copy;
}

function isListOfInputObjects(type: GraphQLInputType): boolean {
  const list = type instanceof GraphQLNonNull ? type.ofType : type;
  if (!(list instanceof GraphQLList)) return false;
  const item = list.ofType instanceof GraphQLNonNull ? list.ofType.ofType : list.ofType;
  return item instanceof GraphQLInputObjectType;
}

/** The document with `operation`'s variables `names` declared AS_IS (everything else shared). */
function redeclared(document: DocumentNode, operation: OperationDefinitionNode, names: Set<string>): DocumentNode {
  const variableDefinitions = operation.variableDefinitions!.map((definition): VariableDefinitionNode =>
    names.has(definition.variable.name.value) ? { ...definition, type: AS_IS } : definition,
  );
  return {
    ...document,
    definitions: document.definitions.map((d) => (d === operation ? { ...operation, variableDefinitions } : d)),
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An input type's fields as `plain` reads them: `required` when leaving it out is not plain (non-null, or a
 * default graphql-js would fill in). Kept per type, as getFields() is a dictionary walked for every item.
 */
interface PlainFields {
  readonly names: ReadonlySet<string>;
  readonly list: readonly { readonly name: string; readonly type: GraphQLInputType; readonly required: boolean }[];
}
const fieldLists = new WeakMap<GraphQLInputObjectType, PlainFields>();

function fieldsOf(type: GraphQLInputObjectType): PlainFields {
  let fields = fieldLists.get(type);
  if (!fields) {
    const list = Object.values(type.getFields()).map((f) => ({
      name: f.name,
      type: f.type,
      required: f.type instanceof GraphQLNonNull || f.defaultValue !== undefined,
    }));
    fieldLists.set(type, (fields = { names: new Set(list.map((f) => f.name)), list }));
  }
  return fields;
}

/**
 * Whether graphql-js's coercion of `value` to `type` succeeds and returns a value equal to it (the same
 * scalars, objects with the same fields, arrays of the same items). False for anything it would convert
 * (an integer ID to a string, a single value to a list of one, a default filled in) or refuse.
 */
function plain(value: unknown, type: GraphQLInputType): boolean {
  if (type instanceof GraphQLNonNull) return value !== null && value !== undefined && plain(value, type.ofType);
  if (value === null) return true;
  if (type instanceof GraphQLList) {
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i++) if (!plain(value[i], type.ofType)) return false;
    return true;
  }
  if (type instanceof GraphQLInputObjectType) {
    if (typeof value !== 'object' || Array.isArray(value) || type.isOneOf) return false;
    const record = value as Record<string, unknown>;
    const fields = fieldsOf(type);
    for (const key in record) if (!hasOwn.call(record, key) || !fields.names.has(key)) return false;
    for (const field of fields.list) {
      const fieldValue = record[field.name];
      if (fieldValue === undefined) {
        if (field.required) return false;
      } else if (!plain(fieldValue, field.type)) return false;
    }
    return true;
  }
  if (type instanceof GraphQLEnumType) return typeof value === 'string' && type.getValue(value)?.value === value;
  if (!(type instanceof GraphQLScalarType)) return false;
  // Scalars by their coercion (a schema built from the core one has copies of its types, sharing it).
  if (type.parseValue === GraphQLString.parseValue || type.parseValue === GraphQLID.parseValue)
    return typeof value === 'string';
  if (type.parseValue === GraphQLBoolean.parseValue) return typeof value === 'boolean';
  // Its parseValue returns the value as it is once the depth check passes, made here on the whole variable.
  return isJson(type);
}

/** The JSON scalar (JSONScalar, or a schema's copy of it). */
function isJson(type: unknown): boolean {
  return type instanceof GraphQLScalarType && type.parseValue === JSONScalar.parseValue;
}
