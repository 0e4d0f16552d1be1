/**
 * The mirror on three replicas of one Neo4j 5 server (./replicas-suite.ts; the one of NEO4J_URI, which
 * `npm run test:neo4j` starts). The suite empties that database first.
 */
import { describeWhen } from '../support/shared';
import { mirrorReplicaSuite } from './replicas-suite';

describeWhen(
  Boolean(process.env.NEO4J_URI),
  'the mirror on three replicas of one Neo4j',
  'NEO4J_URI is not set (npm run test:neo4j starts a Neo4j and runs this suite)',
  () => mirrorReplicaSuite('neo4j'),
);
