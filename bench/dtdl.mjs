// npm run bench:dtdl — parse+resolve RealEstateCore and Willow (after warm-up runs) with Twingraph's DTDL
// engine and with the reference parser (@digicatapult/dtdl-parser, the official parser compiled to
// WebAssembly) on the same input in the same run; print medians and ratios. Then time
// `twingraph dtdl validate` on RealEstateCore as a fresh process.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseModels } = require(path.join(root, 'dist', 'index.js'));
const shared = path.resolve(process.env.TWINGRAPH_SHARED ?? path.join(root, '..', 'shared'));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);

function files(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.json(?:ld)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

let reference;
try {
  const { getInterop } = await import('@digicatapult/dtdl-parser');
  const t0 = performance.now();
  reference = await getInterop();
  console.log(
    `reference parser: ${reference.parserVersion().split(',')[0]} (loaded in ${(performance.now() - t0).toFixed(0)} ms)`,
  );
} catch (err) {
  console.log(`reference parser unavailable (${err.message}); printing Twingraph figures only`);
}

for (const name of ['realestatecore-v3', 'willow-building-v3']) {
  const dir = path.join(shared, 'dtdl', 'ontologies', name);
  if (!fs.existsSync(dir)) {
    console.log(`${name}: skipped, ${dir} not found`);
    continue;
  }
  const texts = files(dir).map((f) => fs.readFileSync(f, 'utf8'));
  let result;
  const first = time(() => (result = parseModels(texts)));
  if (!result.valid) throw new Error(`${name} did not parse as valid: ${result.errors[0]?.cause}`);
  for (let i = 0; i < WARMUP; i++) parseModels(texts);
  const ours = [];
  for (let i = 0; i < RUNS; i++) ours.push(time(() => parseModels(texts)));
  const oursWarm = median(ours);
  const line = [
    `${name}: ${result.models.interfaces.size} interfaces; twingraph first ${first.toFixed(1)} ms, median warm ${oursWarm.toFixed(1)} ms`,
  ];
  if (reference) {
    // The reference parser takes one JSON text; give it the whole set as one array.
    const all = JSON.stringify(texts.flatMap((t) => [JSON.parse(t.replace(/^\uFEFF/, ''))].flat()));
    const referenceFirst = time(() => reference.parse(all));
    for (let i = 0; i < 2; i++) reference.parse(all);
    const theirs = [];
    for (let i = 0; i < 5; i++) theirs.push(time(() => reference.parse(all)));
    const warm = median(theirs);
    line.push(
      `reference first ${referenceFirst.toFixed(0)} ms, median warm ${warm.toFixed(1)} ms; speed-up warm ${(warm / oursWarm).toFixed(1)}x, first call ${(referenceFirst / first).toFixed(1)}x`,
    );
  }
  console.log(line.join('; '));
}

const rec = path.join(shared, 'dtdl', 'ontologies', 'realestatecore-v3');
if (fs.existsSync(rec)) {
  const cli = path.join(root, 'bin', 'twingraph.js');
  const runs = [];
  for (let i = 0; i < 3; i++)
    runs.push(time(() => execFileSync(process.execPath, [cli, 'dtdl', 'validate', rec], { stdio: 'pipe' })));
  console.log(`twingraph dtdl validate realestatecore-v3 (fresh process): median ${median(runs).toFixed(0)} ms`);
}
