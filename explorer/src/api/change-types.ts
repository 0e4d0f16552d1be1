// Change types as the server names them: ADT's event types (`Twin.Update`), or, on servers that publish them as
// the GraphQL enum ChangeType, its values (`TWIN_UPDATE`). The Explorer reads either and thinks in ADT's.
import type { SchemaIndex } from './schema';

const ADT: Record<string, string> = {
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
};

/** ADT's name of a change type, whichever way the server gave it. */
export function adtType(type: string): string {
  return ADT[type] ?? type;
}

/** The `types` argument selecting twin and relationship changes, as a GraphQL literal this server accepts. */
export function twinAndRelationshipTypes(schema: SchemaIndex): string {
  if (schema.enums.has('ChangeType'))
    return `[${Object.keys(ADT)
      .filter((k) => k.startsWith('TWIN_') || k.startsWith('RELATIONSHIP_'))
      .join(', ')}]`;
  return '["Twin.", "Relationship."]';
}
