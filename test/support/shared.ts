/**
 * The shared reference material (DTDL spec, conformance cases, ontologies) lives beside the project,
 * not in it. Tests find it through TWINGRAPH_SHARED (default ../shared); where it is absent they are
 * reported as skipped, with the reason in their title, so that a fresh clone still passes `npm test`.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SHARED_DIR = path.resolve(
  process.env.TWINGRAPH_SHARED ?? path.join(__dirname, '..', '..', '..', 'shared'),
);

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return fs.existsSync(sharedPath(...parts));
}

/**
 * `describe` when `available`, otherwise a skipped `describe` whose title says why: how suites that need
 * something a fresh clone may lack (the shared material, a Neo4j server) are reported instead of failing.
 */
export function describeWhen(available: boolean, name: string, reason: string, body: () => void): void {
  if (available) describe(name, body);
  // The body is not run: it may need what is missing while collecting its tests.
  else describe.skip(`${name} — skipped: ${reason}`, () => it(reason, () => undefined));
}

/** `describe` when the shared material is there, a skipped `describe` that says why otherwise. */
export function describeWithShared(parts: string[], name: string, body: () => void): void {
  describeWhen(hasShared(...parts), name, `${sharedPath(...parts)} not found (set TWINGRAPH_SHARED)`, body);
}

export function readJsonFile<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as T;
}

/** All files with the given extension below a directory, sorted for stable output. */
export function listFiles(dir: string, ext = '.json'): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(ext)) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}
