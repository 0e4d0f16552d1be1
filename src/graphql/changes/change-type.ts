/**
 * The change types as a GraphQL enum: a client switches on `TWIN_UPDATE` with the help of its codegen rather
 * than on a string it must spell as ADT does. The enum's values are ADT's event types (`Twin.Update`, as the
 * change log and the mirror keep them), so resolvers hand the log's type over as it is and GraphQL turns it
 * into the enum name.
 */
import { registerEnumType } from 'type-graphql';
import type { ChangeType as StoreChangeType } from '../../store/types';

export const ChangeType = {
  TWIN_CREATE: 'Twin.Create',
  TWIN_UPDATE: 'Twin.Update',
  TWIN_DELETE: 'Twin.Delete',
  RELATIONSHIP_CREATE: 'Relationship.Create',
  RELATIONSHIP_UPDATE: 'Relationship.Update',
  RELATIONSHIP_DELETE: 'Relationship.Delete',
  TELEMETRY: 'Telemetry',
  COMMAND_INVOKE: 'Command.Invoke',
  COMMAND_RESPONSE: 'Command.Response',
  COMMAND_TIMEOUT: 'Command.Timeout',
  COMMAND_FAILED: 'Command.Failed',
  MODEL_CREATE: 'Model.Create',
  MODEL_DECOMMISSION: 'Model.Decommission',
  MODEL_DELETE: 'Model.Delete',
} as const satisfies Record<string, StoreChangeType>;

registerEnumType(ChangeType, {
  name: 'ChangeType',
  description: "What a change did, after Azure Digital Twins' event types (TWIN_UPDATE is ADT's Twin.Update).",
  valuesConfig: {
    TWIN_CREATE: { description: 'A twin was created (or replaced): Twin.Create.' },
    TWIN_UPDATE: { description: "A twin's properties changed (patch holds the JSON Patch): Twin.Update." },
    TWIN_DELETE: { description: 'A twin was deleted: Twin.Delete.' },
    RELATIONSHIP_CREATE: { description: 'A relationship was created (or replaced): Relationship.Create.' },
    RELATIONSHIP_UPDATE: { description: "A relationship's properties changed: Relationship.Update." },
    RELATIONSHIP_DELETE: { description: 'A relationship was deleted: Relationship.Delete.' },
    TELEMETRY: { description: 'Telemetry points were recorded for a twin.' },
    COMMAND_INVOKE: { description: 'A command of a twin was invoked: Command.Invoke.' },
    COMMAND_RESPONSE: {
      description:
        "A command was answered (body: invocation, the Command.Invoke's seq; status Completed, Cached, or Sent when it declares no response; response): Command.Response.",
    },
    COMMAND_TIMEOUT: { description: 'A command got no answer in time (body: invocation, attempts): Command.Timeout.' },
    COMMAND_FAILED: {
      description:
        'A command failed: the device answered with an error or not as declared, or it could not be sent (body: invocation, status, message): Command.Failed.',
    },
    MODEL_CREATE: { description: 'A model was uploaded: Model.Create.' },
    MODEL_DECOMMISSION: { description: 'A model was decommissioned: Model.Decommission.' },
    MODEL_DELETE: { description: 'A model was deleted: Model.Delete.' },
  },
});
