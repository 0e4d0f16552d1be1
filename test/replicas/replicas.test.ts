/**
 * Three Twingraph replicas on one SQLite file in WAL mode (three processes on one machine), with the NATS
 * commit bus (`nats-server`, Debian's package) and with polling alone: the promises of ./suite.ts. The same
 * suite runs on Neo4j in ./neo4j.test.ts.
 */
import { describeWhen } from '../support/shared';
import { NATS_SERVER } from './processes';
import { replicaSuite } from './suite';

describeWhen(
  NATS_SERVER !== undefined,
  'three replicas on one SQLite store, with the NATS commit bus',
  'nats-server is not installed (apt-get install nats-server)',
  () => replicaSuite('sqlite', 'nats'),
);
describe('three replicas on one SQLite store, polling the change log', () => replicaSuite('sqlite', 'polling'));
