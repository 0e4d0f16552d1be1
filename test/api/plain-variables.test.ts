/**
 * Batch writes' list variables taken as sent (src/api/plain-variables.ts): the document a plain variable runs
 * with coerces it to a value equal to what graphql-js makes of it under its declared type, and anything
 * graphql-js would convert or refuse keeps the original document, so that graphql-js coerces or refuses it
 * as it always did.
 */
import { getVariableValues, parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { plainVariablesDocument } from '../../src/api/plain-variables';
import { demoSchema } from '../graphql/fixtures';

const schema = demoSchema();
const PATCH = parse('mutation($ops: [TwinPatchInput!]!) { patchTwins(operations: $ops) { id } }');
const UPSERT = parse('mutation Load($twins: [TwinUpsertInput!]!, $n: Int) { upsertTwins(twins: $twins) { id } }');
const RELATE = parse(
  'mutation($rels: [RelationshipUpsertInput!]! = []) { upsertRelationships(relationships: $rels) { id } }',
);

const operationOf = (document: DocumentNode): OperationDefinitionNode =>
  document.definitions[0] as OperationDefinitionNode;
const copyOf = (document: DocumentNode, variables: Record<string, unknown>): DocumentNode | undefined =>
  plainVariablesDocument(schema, document, operationOf(document), variables);
const coerce = (document: DocumentNode, variables: Record<string, unknown>) =>
  getVariableValues(schema, operationOf(document).variableDefinitions ?? [], variables);
/** Values as JSON sees them (graphql-js makes its input objects without a prototype). */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('plain batch variables', () => {
  it('runs a plain list as sent, with a copy of the document whose coercion gives what graphql-js would', () => {
    const variables = {
      ops: [
        {
          id: 'a',
          patch: [
            { op: 'replace', path: '/x', value: { deep: [1, { b: null }] } },
            { op: 'remove', path: '/y' },
          ],
        },
        { id: 'b', patch: [{ op: 'add', path: '/z', value: null }], ifMatch: 'W/"e"' },
        { id: 'c', patch: [{ op: 'add', path: '/z', value: 'v' }], ifMatch: null },
      ],
    };
    const copy = copyOf(PATCH, variables)!;
    expect(print(copy)).toContain('$ops: JSON!');
    const original = coerce(PATCH, variables);
    const taken = coerce(copy, variables);
    expect(original.errors).toBeUndefined();
    expect(taken.errors).toBeUndefined();
    expect(taken.coerced?.ops).toBe(variables.ops);
    expect(json(taken.coerced)).toEqual(json(original.coerced));
    // One copy per document and variables redeclared: Apollo keeps each parsed document, and so is it kept.
    expect(copyOf(PATCH, variables)).toBe(copy);
  });

  it('redeclares only the list variables that are plain, keeping the operation and its other variables', () => {
    const variables = { twins: [{ id: 't', modelId: 'dtmi:x;1', properties: { a: 1 }, ifNoneMatch: true }], n: 3 };
    const copy = copyOf(UPSERT, variables)!;
    expect(print(copy)).toContain('mutation Load($twins: JSON!, $n: Int)');
    expect(json(coerce(copy, variables).coerced)).toEqual(json(coerce(UPSERT, variables).coerced));
  });

  it.each([
    ['an integer id, which graphql-js turns into a string', { ops: [{ id: 7, patch: [] }] }],
    ['one item not in a list, which graphql-js makes a list of one', { ops: { id: 'a', patch: [] } }],
    ['a field the input type does not have', { ops: [{ id: 'a', patch: [], extra: 1 }] }],
    ['a required field left out', { ops: [{ id: 'a' }] }],
    ['a required field given null', { ops: [{ id: null, patch: [] }] }],
    ['an operation that is not a PatchOp', { ops: [{ id: 'a', patch: [{ op: 'move', path: '/x' }] }] }],
    ['a number where a String goes', { ops: [{ id: 'a', patch: [{ op: 'add', path: 1, value: 1 }] }] }],
    [
      'a JSON value nested deeper than the scalar allows',
      { ops: [{ id: 'a', patch: [{ op: 'add', path: '/x', value: nested(99) }] }] },
    ],
  ])('leaves the document as it is for %s', (_case, variables) => {
    expect(copyOf(PATCH, variables)).toBeUndefined();
  });

  it('leaves the document as it is for a Boolean given as a string, and for a variable with a default', () => {
    expect(copyOf(UPSERT, { twins: [{ id: 't', modelId: 'm', ifNoneMatch: 'yes' }] })).toBeUndefined();
    expect(copyOf(RELATE, { rels: [{ sourceId: 's', name: 'n', targetId: 't' }] })).toBeUndefined();
  });

  it('leaves graphql-js the refusals, in its own words', () => {
    const variables = { ops: [{ id: 'a', patch: [], extra: 1 }] };
    expect(copyOf(PATCH, variables)).toBeUndefined();
    expect(coerce(PATCH, variables).errors?.[0].message).toMatch(
      /Field "extra" is not defined by type "TwinPatchInput"/,
    );
  });
});

/** A JSON object nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}
