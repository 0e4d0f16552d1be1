/**
 * What the API keeps from one request to the next (issue 13) changes no answer: an operation's cost
 * estimate is reused only when no variable went into it, and the text the response-size cap measured is the
 * very text sent (byte for byte what Apollo would have written), the cap's size exact where it refuses.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf } from '../../src/api/authorize';
import { estimateCost } from '../../src/api/cost';
import { M, TestApp, twinInput, useTestApp } from '../support/api-harness';

const t = useTestApp();

const operationOf = (query: string): { operation: OperationDefinitionNode; document: ReturnType<typeof parse> } => {
  const document = parse(query);
  return {
    document,
    operation: document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode,
  };
};

describe('the cost estimate of one parsed operation', () => {
  it('follows the page sizes its variables give, each time', () => {
    const { operation, document } = operationOf('query($n: Int) { clients(first: $n) { nodes { id } } }');
    const schema = t.app.services.models.current.schema;
    const cost = (n: number): number => estimateCost(schema, operation, fragmentsOf(document.definitions), { n });
    expect([cost(7), cost(20), cost(7)]).toEqual([8, 21, 8]);
  });

  it('is the same when asked again with its sizes written in it', () => {
    const { operation, document } = operationOf(
      'query($after: String) { clients(first: 10, after: $after) { nodes { hasEngagement(first: 5) { nodes { id } } } } }',
    );
    const schema = t.app.services.models.current.schema;
    const cost = (after: string | null): number =>
      estimateCost(schema, operation, fragmentsOf(document.definitions), { after });
    // 1 connection + 10 clients, 10 connections + 50 engagements.
    expect([cost(null), cost('x'), cost(null)]).toEqual([71, 71, 71]);
  });
});

describe('an answer', () => {
  it('is sent as JSON followed by a newline, as Apollo writes it', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ twin(id: "nobody") { id } a: __typename }' }),
    });
    expect(await response.text()).toBe('{"data":{"twin":null,"a":"Query"}}\n');
  });

  it('over the size cap is refused with its exact size in bytes, multi-byte characters counted as such', async () => {
    const app = new TestApp({ env: { TWINGRAPH_MAX_RESPONSE: '1kb' } });
    await app.start();
    try {
      await app.store.createTwin('wide', twinInput(M.client, { name: '€'.repeat(400) }));
      await app.store.createTwin('narrow', twinInput(M.client, { name: 'e'.repeat(400) }));
      const response = await app.gql('{ twin(id: "wide") { ... on Client { name } } }');
      const expected = Buffer.byteLength(JSON.stringify({ data: { twin: { name: '€'.repeat(400) } } }));
      expect(expected).toBeGreaterThan(1024);
      expect(response.status).toBe(413);
      expect(response.errors?.[0]?.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', size: expected, limit: 1024 });
      // As many characters of one byte each weigh less than the cap: answered.
      const narrow = await app.gql<{ twin: { name: string } }>('{ twin(id: "narrow") { ... on Client { name } } }');
      expect(narrow.status).toBe(200);
      expect(narrow.data?.twin.name).toHaveLength(400);
    } finally {
      await app.close();
    }
  });
});
