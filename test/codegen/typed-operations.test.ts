/**
 * The typed documents GraphQL Code Generator makes from test/operations (codegen.yml → codegen/graphql.ts)
 * run against a live server, and the generated file is what the generator makes now from the committed
 * schema and operations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  ClientsWithEngagementsDocument,
  CreateClientDocument,
  CreateEngagementForDocument,
  TwinByIdDocument,
  UpdateClientDocument,
} from '../../codegen/graphql';
import { useTestApp } from '../support/api-harness';

const ROOT = path.join(__dirname, '..', '..');

describe('typed documents from codegen', () => {
  const t = useTestApp();

  /** Runs a typed document: its result is typed by the operation, its variables by its definitions. */
  async function run<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
  ): Promise<R> {
    return t.ok<R>(print(document), variables);
  }

  it('create, read, update and list a client with its engagements, typed end to end', async () => {
    const created = await run(CreateClientDocument, {
      id: 'typed-1',
      input: { name: 'Typed Ltd', industry: 'Retail', country: 'NO' },
    });
    expect(created.createClient).toMatchObject({ id: 'typed-1', name: 'Typed Ltd', industry: 'Retail' });

    await run(CreateEngagementForDocument, {
      client: 'typed-1',
      id: 'typed-e1',
      input: { title: 'Typed audit', status: 'Active', budget: 1200 },
      since: { since: '2024-02-01' },
    });

    const read = await run(TwinByIdDocument, { id: 'typed-1' });
    expect(read.twin).toMatchObject({
      id: 'typed-1',
      modelId: 'dtmi:twingraph:demo:Client;1',
      name: 'Typed Ltd',
      country: 'NO',
      industry: 'Retail',
    });

    const updated = await run(UpdateClientDocument, {
      id: 'typed-1',
      input: { name: 'Typed AS' },
      ifMatch: read.twin!.etag,
    });
    expect(updated.updateClient.etag).not.toBe(read.twin!.etag);

    const page = await run(ClientsWithEngagementsDocument, { first: 10, where: { id: { eq: 'typed-1' } } });
    expect(page.clients.totalCount).toBe(1);
    const [client] = page.clients.nodes;
    expect(client.name).toBe('Typed AS');
    expect(client.hasEngagement.edges).toEqual([
      {
        relationship: { since: '2024-02-01' },
        node: { id: 'typed-e1', title: 'Typed audit', status: 'Active', budget: 1200 },
      },
    ]);
  });
});

describe('codegen/graphql.ts', () => {
  it('is what `npm run codegen` makes from schema/schema.graphql and test/operations now', () => {
    // The generator is ESM-only, so it runs as the CLI, writing to a scratch copy of its output.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-codegen-'));
    try {
      const config = fs
        .readFileSync(path.join(ROOT, 'codegen.yml'), 'utf8')
        .replace('codegen/graphql.ts:', `${path.join(dir, 'graphql.ts')}:`);
      fs.writeFileSync(path.join(dir, 'codegen.yml'), config);
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', '.bin', 'graphql-codegen'),
          '--config',
          path.join(dir, 'codegen.yml'),
          '--silent',
        ],
        { cwd: ROOT, stdio: 'pipe' },
      );
      const fresh = fs.readFileSync(path.join(dir, 'graphql.ts'), 'utf8');
      const committed = fs.readFileSync(path.join(ROOT, 'codegen', 'graphql.ts'), 'utf8');
      if (fresh !== committed)
        throw new Error('codegen/graphql.ts is stale: run `npm run codegen` and commit the result.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
