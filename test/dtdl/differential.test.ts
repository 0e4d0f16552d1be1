/**
 * Differential testing against the official DTDL parser (its WebAssembly build, which knows DTDL v4): seeded
 * mutations of valid v2, v3 and v4 models must get the same verdict from both. A disagreement is a bug until
 * explained.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseModels } from '../../src/dtdl';
import { mutate, prng, richInterface, supportingInterfaces } from '../support/mutate';

const RUNNER = path.join(__dirname, '..', 'support', 'reference-parser.mjs');

interface Verdict {
  valid: boolean;
  kind?: string;
  ids: string[];
}

function referenceVerdicts(texts: string[]): Verdict[] | string {
  const run = spawnSync(process.execPath, [RUNNER], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.status !== 0) return `reference parser did not run: ${run.stderr || run.error?.message}`;
  return JSON.parse(run.stdout) as Verdict[];
}

function generate(count: number, seed: number): string[] {
  const random = prng(seed);
  const texts: string[] = [];
  // v4 last, so that the v2 and v3 models are the same as before v4 was added.
  const versions = [2, 3, 4] as const;
  for (const version of versions) {
    let doc: unknown = richInterface(version);
    for (let i = 0; i < count / versions.length; i++) {
      doc = i % 4 === 0 ? mutate(richInterface(version) as never, random) : mutate(doc as never, random);
      texts.push(JSON.stringify([doc, ...supportingInterfaces(version)]));
    }
  }
  return texts;
}

const texts = generate(600, 7);
const reference = referenceVerdicts(texts);

// The reference parser needs a working .NET-in-WebAssembly runtime; say so plainly if it is missing.
const describeIfReference = typeof reference === 'string' ? describe.skip : describe;

describeIfReference(
  `differential: Twingraph vs the reference DTDL parser${typeof reference === 'string' ? ` — skipped: ${reference}` : ''}`,
  () => {
    it('gives the same verdict on at least 97% of 600 mutated models, 200 of each version', () => {
      const verdicts = reference as Verdict[];
      const disagreements: string[] = [];
      texts.forEach((text, i) => {
        const ours = parseModels([text], { allowUndefinedExtensions: 'priorToV3' });
        if (ours.valid !== verdicts[i].valid) {
          disagreements.push(
            `#${i} reference=${verdicts[i].valid ? 'valid' : verdicts[i].ids.join(',') || verdicts[i].kind} twingraph=${ours.valid ? 'valid' : ours.errors.map((e) => e.validationId.split(':').pop()).join(',')}\n${text.slice(0, 600)}`,
          );
        }
      });
      console.log(
        `reference: ${verdicts.filter((v) => v.valid).length} valid, ${verdicts.filter((v) => !v.valid).length} invalid; disagreements: ${disagreements.length}`,
      );
      if (disagreements.length > 0)
        console.log(`${disagreements.length} disagreement(s):\n${disagreements.join('\n\n')}`);
      expect(verdicts.filter((v) => v.valid).length).toBeGreaterThan(20);
      expect(verdicts.filter((v) => !v.valid).length).toBeGreaterThan(100);
      expect(disagreements.length / texts.length).toBeLessThanOrEqual(0.03);
    });
  },
);
