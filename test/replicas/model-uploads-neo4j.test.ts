/**
 * Concurrent model uploads through two replicas of one Neo4j 5 server (./model-uploads.ts; the one of
 * NEO4J_URI, which `npm run test:neo4j` starts). The suite empties that database first.
 */
import { describeWhen } from '../support/shared';
import { modelUploadSuite } from './model-uploads';

describeWhen(
  Boolean(process.env.NEO4J_URI),
  'model uploads through two replicas of one Neo4j',
  'NEO4J_URI is not set (npm run test:neo4j starts a Neo4j and runs this suite)',
  () => modelUploadSuite('neo4j'),
);
