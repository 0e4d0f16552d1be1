/**
 * An Apollo Client 4 setup for Twingraph that a front-end team can copy: queries and mutations over HTTP,
 * subscriptions over WebSocket (graphql-ws, split by operation type), and a cache that knows the schema's
 * abstract types. Every model is a GraphQL interface with an object type beside it, so without `possibleTypes`
 * the cache drops the fields of `... on Client`; the server serves the map for its current schema (models
 * uploaded a second ago included) at /graphql/possible-types.json. The typed documents come from GraphQL Code
 * Generator (./graphql.ts, `npm run codegen`): results and variables are typed by the operation.
 *
 * Cache keys need nothing here: every object with an id is a Node whose id is unique across the API (a
 * relationship's is <sourceId>/relationships/<relationshipId>), so Apollo's default `__typename:id` holds.
 * An ES module, as front-end code is; test/codegen/apollo-client.test.ts type-checks it.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { TwinByIdDocument, type TwinByIdQuery } from './graphql.js';

/** Where Twingraph serves GraphQL: HTTP and WebSocket on the same path. */
export interface TwingraphEndpoint {
  /** e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  /** Sent as `authorization: Bearer …` over HTTP and in the WebSocket's connection_init. */
  readonly token?: string;
}

/** Twingraph's possibleTypes map for its current schema. */
export async function fetchPossibleTypes(url: string): Promise<Record<string, string[]>> {
  const response = await fetch(`${url}/possible-types.json`);
  if (!response.ok) throw new Error(`${url}/possible-types.json answered ${response.status}`);
  return (await response.json()) as Record<string, string[]>;
}

export async function twingraphClient({ url, token }: TwingraphEndpoint): Promise<ApolloClient> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const http = new HttpLink({ uri: url, headers });
  const ws = new GraphQLWsLink(
    createClient({
      url: url.replace(/^http/, 'ws'),
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    }),
  );
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === OperationTypeNode.SUBSCRIPTION;
    },
    ws,
    http,
  );
  return new ApolloClient({ link, cache: new InMemoryCache({ possibleTypes: await fetchPossibleTypes(url) }) });
}

/** A typed query: the result's type says which fields a Client twin has. */
export async function clientName(client: ApolloClient, id: string): Promise<string | undefined> {
  const { data } = await client.query({ query: TwinByIdDocument, variables: { id } });
  const twin: TwinByIdQuery['twin'] | undefined = data?.twin;
  return twin && 'name' in twin ? (twin.name ?? undefined) : undefined;
}
