// What the Explorer needs to know about the server before it shows anything: the models (with colours) and the
// schema's fields. Read together, again whenever a model is uploaded, decommissioned or deleted.
import { loadCatalogue, type Catalogue } from './api/models';
import { loadSchema, type SchemaIndex } from './api/schema';

export interface ServerInfo {
  readonly catalogue: Catalogue;
  readonly schema: SchemaIndex;
}

export async function loadServerInfo(): Promise<ServerInfo> {
  const [catalogue, schema] = await Promise.all([loadCatalogue(), loadSchema()]);
  return { catalogue, schema };
}
