/**
 * Three Twingraph replicas on one Neo4j 5 server (the one of NEO4J_URI; `npm run test:neo4j` starts one), with
 * the NATS commit bus and with polling alone: the promises of ./suite.ts, where production runs them. Each
 * suite empties that database first.
 */
import { describeWhen } from '../support/shared';
import { NATS_SERVER } from './processes';
import { replicaSuite } from './suite';

const NO_NEO4J = 'NEO4J_URI is not set (npm run test:neo4j starts a Neo4j and runs this suite)';

describeWhen(
  Boolean(process.env.NEO4J_URI) && NATS_SERVER !== undefined,
  'three replicas on one Neo4j, with the NATS commit bus',
  process.env.NEO4J_URI ? 'nats-server is not installed (apt-get install nats-server)' : NO_NEO4J,
  () => replicaSuite('neo4j', 'nats'),
);
describeWhen(Boolean(process.env.NEO4J_URI), 'three replicas on one Neo4j, polling the change log', NO_NEO4J, () =>
  replicaSuite('neo4j', 'polling'),
);
