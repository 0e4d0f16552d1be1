/**
 * The authorization matrix, generated from the live schema: every root field of Query, Mutation and
 * Subscription — the core's, the features', and those compiled from models, including a model uploaded
 * during the test — for every role and for anonymous callers. Fields written by hand must be listed here
 * with the role they need, so that a field added later cannot slip through under a default; fields compiled
 * from models must need their root type's default (reader for queries and subscriptions, writer for
 * mutations). The HTTP and WebSocket paths that apply these decisions are in auth.test.ts.
 */
import { OperationTypeNode, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { authorizeOperation, refusedFields } from '../../src/api/authorize';
import { ROLES, type Identity, type Role } from '../../src/access/identity';
import { schemaInfo } from '../../src/graphql/schema-info';
import { useTestApp } from '../support/api-harness';

/** Every root field written by hand, with the role it needs. */
const HAND_WRITTEN: Readonly<Record<OperationTypeNode, Readonly<Record<string, Role>>>> = {
  query: {
    twin: 'reader',
    twins: 'reader',
    node: 'reader',
    nodes: 'reader',
    relationship: 'reader',
    model: 'reader',
    models: 'reader',
    changes: 'reader',
    predictProfit: 'reader',
    profitModel: 'reader',
    mirrorStatus: 'admin',
    mqttStatus: 'admin',
  },
  mutation: {
    createTwin: 'writer',
    patchTwin: 'writer',
    updateComponent: 'writer',
    deleteTwin: 'writer',
    createRelationship: 'writer',
    updateRelationship: 'writer',
    deleteRelationship: 'writer',
    patchTwins: 'writer',
    upsertTwins: 'writer',
    upsertRelationships: 'writer',
    recordMetrics: 'writer',
    invokeDeviceCommand: 'writer',
    uploadModels: 'modeler',
    decommissionModel: 'modeler',
    deleteModel: 'modeler',
    retrainProfitModel: 'admin',
    retryMirrorDeadLetters: 'admin',
    dropMirrorDeadLetters: 'admin',
  },
  subscription: {
    twinChanged: 'reader',
    relationshipChanged: 'reader',
    metricRecorded: 'reader',
    modelChanged: 'reader',
    changed: 'reader',
    predictionChanged: 'reader',
  },
};

const DEFAULT_ROLE: Readonly<Record<OperationTypeNode, Role>> = {
  query: 'reader',
  mutation: 'writer',
  subscription: 'reader',
};

const PUMP = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:test:matrix:Pump;1',
  '@type': 'Interface',
  contents: [
    { '@type': 'Property', name: 'rpm', schema: 'double', writable: true },
    { '@type': 'Command', name: 'prime' },
    { '@type': 'Relationship', name: 'feeds', target: 'dtmi:test:matrix:Pump;1' },
  ],
};

const t = useTestApp();

/** Whether a root field was compiled from a model: a model's list, or named after one of its types. */
function isGenerated(schema: GraphQLSchema, name: string): boolean {
  const names = [...(schemaInfo(schema)?.names.values() ?? [])];
  return names.some((n) => n.listField === name || name.endsWith(n.objectType) || name.endsWith(n.interfaceType));
}

function operationOf(kind: OperationTypeNode, field: string): OperationDefinitionNode {
  // Arguments and selections do not matter to the decision, which is made on root field names.
  const keyword = kind === 'query' ? 'query' : kind;
  return parse(`${keyword} { ${field} }`, { noLocation: true }).definitions[0] as OperationDefinitionNode;
}

const identity = (role: Role | undefined): Identity => ({
  name: `${role ?? 'no'}-role`,
  via: 'key',
  ...(role && { role }),
});

describe('the authorization matrix', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    await t.ok('mutation($models: [JSON!]!) { uploadModels(documents: $models) { __typename } }', { models: [PUMP] });
    schema = t.app.services.models.current.schema;
  });

  it('covers the fields compiled from a model uploaded during the test', () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(mutations).toEqual(expect.arrayContaining(['createPump', 'updatePump', 'primePump']));
  });

  it('lists every hand-written root field, and finds no root field that is neither listed nor generated', () => {
    for (const kind of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]) {
      const fields = Object.keys(schema.getRootType(kind)!.getFields());
      const unaccounted = fields.filter((f) => !(f in HAND_WRITTEN[kind]) && !isGenerated(schema, f));
      expect({ kind, unaccounted }).toEqual({ kind, unaccounted: [] });
    }
  });

  for (const kind of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]) {
    it(`gives every ${kind} root field to exactly the roles that include the one it needs, and to no anonymous caller`, () => {
      const fields = Object.keys(schema.getRootType(kind)!.getFields());
      expect(fields.length).toBeGreaterThan(3);
      const decisions: string[] = [];
      const expected: string[] = [];
      for (const field of fields) {
        const needed = HAND_WRITTEN[kind][field] ?? DEFAULT_ROLE[kind];
        const operation = operationOf(kind, field);
        expect(authorizeOperation(schema, operation, {}, undefined)?.extensions.code).toBe('UNAUTHENTICATED');
        for (const role of [undefined, ...ROLES]) {
          const allowed = refusedFields(schema, operation, {}, identity(role)).length === 0;
          decisions.push(`${field} ${role ?? 'none'} ${allowed ? 'allowed' : 'refused'}`);
          const shouldBe = role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
          expected.push(`${field} ${role ?? 'none'} ${shouldBe ? 'allowed' : 'refused'}`);
        }
      }
      expect(decisions).toEqual(expected);
    });
  }

  it('treats introspection as a reader query', () => {
    const operation = operationOf(OperationTypeNode.QUERY, '__schema { queryType { name } }');
    expect(refusedFields(schema, operation, {}, identity(undefined))).toEqual([{ field: '__schema', role: 'reader' }]);
    expect(refusedFields(schema, operation, {}, identity('reader'))).toEqual([]);
  });
});
