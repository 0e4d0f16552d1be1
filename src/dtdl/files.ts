/**
 * DTDL documents read from files and folders, for everything that loads models from disk (the CLI, the start
 * of the server, the mirror's commands, tests and benchmarks): every .json / .jsonld file named or below a
 * named folder, in a stable order, so that the same folder always uploads in the same order (upload order
 * decides contested GraphQL names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';

/** Every .json / .jsonld file named or below a named directory, in a stable order, with its text. */
export function collectDocuments(targets: readonly string[]): { name: string; text: string }[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`no such file or directory: ${p}`);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        const child = path.join(p, entry);
        if (fs.statSync(child).isDirectory() || /\.json(?:ld)?$/i.test(entry)) walk(child);
      }
    } else files.push(p);
  };
  targets.forEach(walk);
  return files.map((name) => ({ name, text: fs.readFileSync(name, 'utf8') }));
}
