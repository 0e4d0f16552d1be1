/**
 * Concurrent model uploads through two replicas of one SQLite store (./model-uploads.ts); the same suite runs
 * on Neo4j in ./model-uploads-neo4j.test.ts.
 */
import { modelUploadSuite } from './model-uploads';

describe('model uploads through two replicas of one SQLite store', () => modelUploadSuite('sqlite'));
