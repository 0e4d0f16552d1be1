/**
 * What a client team points its tools at: the current schema's SDL at /graphql/schema.graphql and Apollo
 * Client's `possibleTypes` at /graphql/possible-types.json, both current after every model upload, with an
 * ETag so that polling costs a 304; and compressed answers for clients that ask.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../../src/config';
import { TestApp } from '../support/api-harness';

const SITE = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Site;1',
  '@type': 'Interface',
  extends: 'dtmi:twingraph:demo:Asset;1',
  contents: [{ '@type': 'Property', name: 'area', schema: 'double' }],
};

describe('the schema served live', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp().start();
  });
  afterAll(() => t?.close());

  const base = (): string => t.url;

  it('serves the SDL the demo compiles to, the same as schema/schema.graphql', async () => {
    const response = await fetch(`${base()}/schema.graphql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(fs.readFileSync(path.join(PACKAGE_ROOT, 'schema', 'schema.graphql'), 'utf8'));
  });

  it('serves possibleTypes: every model interface with the object types of its own and its subtypes', async () => {
    const response = await fetch(`${base()}/possible-types.json`);
    const possible = (await response.json()) as Record<string, string[]>;
    expect(possible.Party).toEqual(['ClientTwin', 'EmployeeTwin', 'PartyTwin']);
    expect(possible.Client).toEqual(['ClientTwin']);
    expect(possible.Twin).toEqual(expect.arrayContaining(['ClientTwin', 'DeviceTwin', 'UnmodeledTwin']));
  });

  it('answers 304 to a poll with the current ETag, and a new ETag and document once a model is uploaded', async () => {
    const first = await fetch(`${base()}/possible-types.json`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${base()}/possible-types.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const sdlEtag = (await fetch(`${base()}/schema.graphql`)).headers.get('etag')!;

    await t.ok('mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', { d: [SITE] });
    const after = await fetch(`${base()}/possible-types.json`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(((await after.json()) as Record<string, string[]>).Asset).toEqual(['AssetTwin', 'SiteTwin']);
    const sdl = await fetch(`${base()}/schema.graphql`, { headers: { 'if-none-match': sdlEtag } });
    expect(sdl.status).toBe(200);
    expect(await sdl.text()).toMatch(/^type SiteTwin implements/m);
  });

  it('compresses what is large for a client that asks, and leaves small answers as they are', async () => {
    // fetch would decompress by itself: ask through node's http for the raw bytes.
    const http = await import('node:http');
    const raw = (url: string): Promise<{ encoding?: string; body: Buffer }> =>
      new Promise((resolve, reject) => {
        http
          .get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const schema = await raw(`${base()}/schema.graphql`);
    expect(schema.encoding).toBe('gzip');
    expect(gunzipSync(schema.body).toString('utf8')).toMatch(/^type ClientTwin implements/m);
    const health = await raw(`${t.origin}/healthz`);
    expect(health.encoding).toBeUndefined();
  });
});
