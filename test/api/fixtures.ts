/**
 * A small graph of the demo domain, written straight into the store (the API suites read it through GraphQL):
 *
 *   c1 Acme Bank ──hasEngagement(since 2023-01-01)──► g1 Core banking (active) ──covers(full)──► a1 HQ ──hosts──► d1, d2
 *      │                                                 │  ledBy e1, uses o1    └─covers(partial)──► a3 DC West ──hosts──► d3
 *      └──hasEngagement(since 2022-06-01)──► g2 Claims (closed)
 *   c3 Corner Retail ──► g3 Stores (proposed)
 *   c4 Delta Energy ──► g4 Grid (active, ledBy e2) ──covers(full)──► a2 Plant 7 ──hosts──► d4
 *   c2, c5: no engagements; e1, e2 employees; p1 a plain Party.
 */
import type { TwinStore } from '../../src/store/port';
import { M, twinInput } from '../support/api-harness';

export async function seedDemoGraph(store: TwinStore): Promise<void> {
  await store.createTwins([
    {
      id: 'c1',
      twin: twinInput(M.client, {
        name: 'Acme Bank',
        industry: 'banking',
        country: 'NL',
        email: 'info@acme.example',
        address: { city: 'Amsterdam', country: 'NL' },
        tags: { tier: 'gold' },
      }),
    },
    {
      id: 'c2',
      twin: twinInput(M.client, {
        name: 'Brightside Insurance',
        industry: 'insurance',
        country: 'DE',
        email: 'hello@brightside.example',
        address: { city: 'Berlin' },
      }),
    },
    {
      id: 'c3',
      twin: twinInput(M.client, {
        name: 'Corner Retail',
        industry: 'retail',
        country: 'NL',
        address: { city: 'Utrecht' },
      }),
    },
    {
      id: 'c4',
      twin: twinInput(M.client, {
        name: 'Delta Energy',
        industry: 'energy',
        country: 'FR',
        email: 'grid@delta.example',
        address: { city: 'Paris' },
      }),
    },
    { id: 'c5', twin: twinInput(M.client, { name: 'Echo Health', industry: 'healthcare' }) },
    { id: 'e1', twin: twinInput(M.employee, { name: 'Eve Jansen', role: 'manager', hourlyRate: 120, country: 'NL' }) },
    { id: 'e2', twin: twinInput(M.employee, { name: 'Frank Meyer', role: 'analyst', hourlyRate: 80 }) },
    { id: 'p1', twin: twinInput(M.party, { name: 'Plain Party' }) },
    { id: 'o1', twin: twinInput(M.offering, { name: 'Banking advisory', line: 'consulting', targetMargin: 0.3 }) },
    {
      id: 'g1',
      twin: twinInput(M.engagement, {
        title: 'Core banking',
        status: 'active',
        budget: 100000,
        startDate: '2023-01-01',
      }),
    },
    { id: 'g2', twin: twinInput(M.engagement, { title: 'Claims', status: 'closed', budget: 50000 }) },
    { id: 'g3', twin: twinInput(M.engagement, { title: 'Stores', status: 'proposed', budget: 20000 }) },
    { id: 'g4', twin: twinInput(M.engagement, { title: 'Grid', status: 'active', budget: 300000 }) },
    { id: 'a1', twin: twinInput(M.asset, { name: 'HQ', assetType: 'building' }) },
    { id: 'a2', twin: twinInput(M.asset, { name: 'Plant 7', assetType: 'plant' }) },
    { id: 'a3', twin: twinInput(M.asset, { name: 'DC West', assetType: 'dataCentre' }) },
    {
      id: 'd1',
      twin: twinInput(M.device, {
        deviceType: 'chiller',
        capacity: 4,
        diagnostics: { $metadata: {}, errorCount: 3, lastError: 'E42' },
      }),
    },
    {
      id: 'd2',
      twin: twinInput(M.device, { deviceType: 'boiler', capacity: 2, diagnostics: { $metadata: {}, errorCount: 0 } }),
    },
    {
      id: 'd3',
      twin: twinInput(M.device, { deviceType: 'rack', capacity: 40, diagnostics: { $metadata: {}, errorCount: 1 } }),
    },
    { id: 'd4', twin: twinInput(M.device, { deviceType: 'press', capacity: 1 }) },
  ]);
  const rel = (sourceId: string, name: string, targetId: string, properties: Record<string, string> = {}) => ({
    sourceId,
    relationshipId: `${sourceId}-${name}-${targetId}`,
    relationship: { $targetId: targetId, $relationshipName: name, ...properties },
  });
  await store.putRelationships([
    rel('c1', 'hasEngagement', 'g1', { since: '2023-01-01' }),
    rel('c1', 'hasEngagement', 'g2', { since: '2022-06-01' }),
    rel('c3', 'hasEngagement', 'g3', { since: '2024-02-01' }),
    rel('c4', 'hasEngagement', 'g4', { since: '2021-09-15' }),
    rel('g1', 'ledBy', 'e1'),
    rel('g4', 'ledBy', 'e2'),
    rel('g1', 'uses', 'o1'),
    rel('g1', 'covers', 'a1', { scope: 'full' }),
    rel('g1', 'covers', 'a3', { scope: 'partial' }),
    rel('g4', 'covers', 'a2', { scope: 'full' }),
    rel('a1', 'hosts', 'd1'),
    rel('a1', 'hosts', 'd2'),
    rel('a3', 'hosts', 'd3'),
    rel('a2', 'hosts', 'd4'),
  ]);
}
