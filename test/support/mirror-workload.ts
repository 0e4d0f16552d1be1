/**
 * A mixed write workload for the mirror's tests and bench, sent through the GraphQL API the way clients send
 * it: twins of several models created, updated (typed updates, JSON Patches, component updates, many of them
 * on a few busy twins), deleted with their relationships; relationships created, patched and deleted; a model
 * uploaded, decommissioned, another uploaded and deleted. Chosen by a seeded PRNG, sent `concurrency` at a
 * time. Some writes are refused (a relationship whose target was just deleted, …): that is part of the mix;
 * a refused write changes nothing, so both sides must agree anyway.
 */
import { mulberry32 } from '../../src/demo/random';

export type Gql = (
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{ data?: unknown; errors?: readonly { message: string; extensions?: { code?: string } }[] }>;

export interface WorkloadOptions {
  readonly seed: number;
  readonly writes: number;
  readonly concurrency: number;
  /** Id prefix, so that several runs against one Twingraph do not collide. */
  readonly prefix?: string;
  /** Called with the share done (0..1) before each write. */
  readonly onProgress?: (done: number) => void;
}

export interface WorkloadResult {
  readonly ok: number;
  readonly refused: number;
  /** Refusals by error code. */
  readonly codes: Record<string, number>;
  /** The first refusal's message of each code. */
  readonly examples: Record<string, string>;
}

const KIOSK = (prefix: string): string => `dtmi:twingraph:test:${prefix}Kiosk;1`;
const SCRATCH = (prefix: string): string => `dtmi:twingraph:test:${prefix}Scratch;1`;

function kioskModel(prefix: string): object {
  return {
    '@context': 'dtmi:dtdl:context;3',
    '@id': KIOSK(prefix),
    '@type': 'Interface',
    extends: 'dtmi:twingraph:demo:Asset;1',
    contents: [{ '@type': 'Property', name: 'screen', schema: 'string', writable: true }],
  };
}

function scratchModel(prefix: string): object {
  return {
    '@context': 'dtmi:dtdl:context;3',
    '@id': SCRATCH(prefix),
    '@type': 'Interface',
    contents: [{ '@type': 'Property', name: 'note', schema: 'string' }],
  };
}

export async function runWorkload(gql: Gql, options: WorkloadOptions): Promise<WorkloadResult> {
  const random = mulberry32(options.seed);
  const p = options.prefix ?? '';
  const pick = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
  const clients: string[] = [];
  const engagements: string[] = [];
  const assets: string[] = [];
  const devices: string[] = [];
  const kiosks: string[] = [];
  const rels: { source: string; id: string }[] = [];
  let next = 0;
  const id = (kind: string): string => `${p}${kind}-${next++}`;
  const remove = (list: string[], x: string): void => {
    const i = list.indexOf(x);
    if (i >= 0) list.splice(i, 1);
  };
  const result = { ok: 0, refused: 0, codes: {} as Record<string, number>, examples: {} as Record<string, string> };
  const send = async (query: string, variables: Record<string, unknown>, onOk?: () => void): Promise<void> => {
    const r = await gql(query, variables);
    if (r.errors?.length) {
      result.refused++;
      const code = r.errors[0].extensions?.code ?? 'UNKNOWN';
      result.codes[code] = (result.codes[code] ?? 0) + 1;
      result.examples[code] ??= r.errors[0].message;
    } else {
      result.ok++;
      onOk?.();
    }
  };
  const hot = (list: string[]): string | undefined => (random() < 0.6 ? pick(list.slice(0, 4)) : pick(list));

  // One step of the workload; `n` is its index (the model steps happen at fixed points).
  const step = async (n: number): Promise<void> => {
    const share = n / options.writes;
    if (n === Math.floor(options.writes * 0.1))
      return send('mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', { d: [kioskModel(p)] });
    if (n === Math.floor(options.writes * 0.5))
      return send('mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', {
        d: [scratchModel(p)],
      });
    if (n === Math.floor(options.writes * 0.6))
      return send('mutation ($id: ID!) { deleteModel(id: $id) { deleted } }', { id: SCRATCH(p) });
    if (n === Math.floor(options.writes * 0.8))
      return send('mutation ($id: ID!) { decommissionModel(id: $id) { id } }', { id: KIOSK(p) });
    const r = random();
    if (r < 0.2 || clients.length + engagements.length < 8) {
      const which = Math.floor(random() * 5);
      if (which === 0) {
        const c = id('client');
        return send(
          'mutation ($id: ID!, $name: String!, $country: String) { createClient(id: $id, input: { name: $name, country: $country }) { id } }',
          { id: c, name: `Client ${c}`, country: pick(['BE', 'NL', 'DE', 'FR']) },
          () => clients.push(c),
        );
      }
      if (which === 1) {
        const g = id('eng');
        return send(
          'mutation ($id: ID!, $title: String!, $budget: Float) { createEngagement(id: $id, input: { title: $title, budget: $budget }) { id } }',
          { id: g, title: `Engagement ${g}`, budget: Math.round(random() * 100_000) },
          () => engagements.push(g),
        );
      }
      if (which === 2) {
        const a = id('asset');
        return send(
          'mutation ($id: ID!) { createAsset(id: $id, input: { name: "Site", location: { type: "Point", coordinates: [4.35, 50.85] } }) { id } }',
          { id: a },
          () => assets.push(a),
        );
      }
      if (which === 3 && share > 0.1 && share < 0.8) {
        const k = id('kiosk');
        return send(
          'mutation ($id: ID!, $model: String!) { createTwin(id: $id, modelId: $model, properties: { name: "Kiosk", screen: "lcd" }) { id } }',
          { id: k, model: KIOSK(p) },
          () => kiosks.push(k),
        );
      }
      const d = id('device');
      return send(
        'mutation ($id: ID!, $cap: Int) { createDevice(id: $id, input: { deviceType: "pump", capacity: $cap }) { id } }',
        { id: d, cap: Math.floor(random() * 10) },
        () => devices.push(d),
      );
    }
    if (r < 0.55) {
      // Updates, mostly on a few busy twins.
      const kind = Math.floor(random() * 4);
      if (kind === 0 && clients.length)
        return send(
          'mutation ($id: ID!, $c: String) { updateClient(id: $id, input: { country: $c, email: null }) { id } }',
          { id: hot(clients), c: pick(['BE', 'NL', 'DE', 'FR', 'LU']) },
        );
      if (kind === 1 && engagements.length)
        return send('mutation ($id: ID!, $s: Float) { updateEngagement(id: $id, input: { spend: $s }) { id } }', {
          id: hot(engagements),
          s: Math.round(random() * 50_000),
        });
      if (kind === 2 && devices.length) {
        return send(
          'mutation ($id: ID!, $n: JSON) { updateComponent(id: $id, component: "diagnostics", patch: [{ op: add, path: "/errorCount", value: $n }]) { id } }',
          { id: hot(devices), n: Math.floor(random() * 100) },
        );
      }
      const any = hot(clients);
      if (!any) return;
      return send(
        'mutation ($id: ID!, $e: JSON) { patchTwin(id: $id, patch: [{ op: add, path: "/email", value: $e }]) { id } }',
        { id: any, e: `x${Math.floor(random() * 1000)}@example.com` },
      );
    }
    if (r < 0.75) {
      // A relationship: client → engagement (with a property) or asset → device.
      if (random() < 0.6) {
        const s = pick(clients);
        const tgt = pick(engagements);
        if (!s || !tgt) return;
        const rid = `${s}-has-${tgt}`;
        return send(
          'mutation ($s: ID!, $t: ID!, $rid: ID!, $since: JSON) { createRelationship(sourceId: $s, id: $rid, name: "hasEngagement", targetId: $t, properties: { since: $since }) { id } }',
          { s, t: tgt, rid, since: `2024-0${1 + Math.floor(random() * 9)}-01` },
          () => rels.push({ source: s, id: rid }),
        );
      }
      const s = pick([...assets, ...kiosks]);
      const tgt = pick(devices);
      if (!s || !tgt) return;
      const rid = `${s}-hosts-${tgt}`;
      return send(
        'mutation ($s: ID!, $t: ID!, $rid: ID!) { createRelationship(sourceId: $s, id: $rid, name: "hosts", targetId: $t) { id } }',
        { s, t: tgt, rid },
        () => rels.push({ source: s, id: rid }),
      );
    }
    if (r < 0.85) {
      const rel = pick(rels);
      if (!rel) return;
      if (random() < 0.5 && rel.id.includes('-has-')) {
        return send(
          'mutation ($s: ID!, $id: ID!, $since: JSON) { updateRelationship(sourceId: $s, id: $id, patch: [{ op: add, path: "/since", value: $since }]) { id } }',
          { s: rel.source, id: rel.id, since: `2025-0${1 + Math.floor(random() * 9)}-15` },
        );
      }
      return send(
        'mutation ($s: ID!, $id: ID!) { deleteRelationship(sourceId: $s, id: $id) { deleted } }',
        { s: rel.source, id: rel.id },
        () => rels.splice(rels.indexOf(rel), 1),
      );
    }
    // A twin deleted with its relationships (never one of the busy few).
    const list = pick([clients, engagements, assets, devices, kiosks].filter((l) => l.length > 6));
    if (!list) return;
    const victim = list[4 + Math.floor(random() * (list.length - 4))];
    return send('mutation ($id: ID!) { deleteTwin(id: $id, cascade: true) { deleted } }', { id: victim }, () => {
      remove(list, victim);
      for (let i = rels.length - 1; i >= 0; i--)
        if (rels[i].source === victim || rels[i].id.endsWith(`-${victim}`)) rels.splice(i, 1);
    });
  };

  let cursor = 0;
  const lane = async (): Promise<void> => {
    while (cursor < options.writes) {
      const n = cursor++;
      options.onProgress?.(n / options.writes);
      await step(n);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return result;
}
