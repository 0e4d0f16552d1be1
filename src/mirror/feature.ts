/**
 * The mirror to Azure Digital Twins as a feature: its GraphQL part (`mirrorStatus`, dead-letter levers), the
 * worker that replays the outbox (running when ADT_ENDPOINT is set; without it the fields say `enabled: false`),
 * and the `twingraph mirror` commands.
 */
import type { Feature } from '../feature';
import { mirrorCommands } from './commands';
import { MIRROR, mirrorSchemaPlugin, type MirrorAccess } from './graphql';
import { Mirror } from './mirror';

export const mirrorFeature: Feature = {
  name: MIRROR,
  schema: mirrorSchemaPlugin,
  open({ store, config, log }) {
    const mirror = new Mirror(store, config.mirror, log);
    const context: MirrorAccess = {
      status: () => mirror.status(),
      deadLetters: (limit) => mirror.deadLetters(limit),
      retryDeadLetters: (seqs) => mirror.retryDeadLetters(seqs),
      dropDeadLetters: (seqs) => mirror.dropDeadLetters(seqs),
    };
    return {
      context,
      start: () => {
        mirror.start();
        if (config.mirror)
          log.info({ endpoint: config.mirror.endpoint }, 'mirroring every change to Azure Digital Twins');
      },
      stop: () => mirror.stop(),
    };
  },
  commands: mirrorCommands,
};
