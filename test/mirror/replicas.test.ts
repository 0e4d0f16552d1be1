/**
 * The mirror on three replicas of one SQLite store (./replicas-suite.ts); the same suite runs on Neo4j in
 * ./replicas-neo4j.test.ts.
 */
import { mirrorReplicaSuite } from './replicas-suite';

describe('the mirror on three replicas of one SQLite store', () => mirrorReplicaSuite('sqlite'));
