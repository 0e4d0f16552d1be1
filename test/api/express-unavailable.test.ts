/**
 * When the Express app cannot be made (a broken install: a module of it missing), the server still serves
 * operations POSTed as JSON, which never need it, and answers every other request with a JSON 500 and a
 * stable code instead of going down: before Express was loaded lazily, such a server failed to start.
 */
import { M, TestApp, twinInput } from '../support/api-harness';

jest.mock('../../src/api/express-app', () => {
  throw new Error("Cannot find module 'express'");
});

describe('a server whose Express app cannot be made', () => {
  const t = new TestApp({ env: { TWINGRAPH_CORS_ORIGINS: 'https://app.example.com' } });
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([{ id: 'c1', twin: twinInput(M.client, { name: 'Acme Bank', industry: 'banking' }) }]);
  });
  afterAll(() => t.close());

  it('answers operations POSTed as JSON', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ twin(id: "c1") { id } }' }),
    });
    expect(await response.json()).toEqual({ data: { twin: { id: 'c1' } } });
  });

  it('answers anything else with a JSON 500, and keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const health = await fetch(`${t.origin}/healthz`);
      expect(health.status).toBe(500);
      expect(await health.json()).toEqual({
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
    }
  });

  it('says so to a browser on an allowed origin, with the CORS headers of any other answer', async () => {
    const health = await fetch(`${t.origin}/healthz`, { headers: { origin: 'https://app.example.com' } });
    expect(health.status).toBe(500);
    expect(health.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(health.headers.get('access-control-allow-credentials')).toBe('true');
    expect(health.headers.get('cache-control')).toBe('no-store');
    const other = await fetch(`${t.origin}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(500);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
