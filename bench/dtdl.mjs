// npm run bench:dtdl — parse+resolve RealEstateCore and Willow with Twingraph's DTDL engine and with the reference
// parser (@digicatapult/dtdl-parser, the official parser compiled to WebAssembly), both warmed up, in one process,
// each given the documents as JSON text; print medians and their ratio. Then time `twingraph dtdl validate` on
// RealEstateCore as a fresh process.
//
// The machine this runs on is shared, so the two parsers are timed in alternating blocks (ours, theirs, ours, …,
// BENCH_ROUNDS rounds, default 3): load that comes and goes falls on both alike. Each block starts with an untimed
// run, so that neither parser is timed paying for the other's leftovers (the garbage it left to collect, the
// caches it filled); run for run alternation makes Twingraph's runs about twice as slow for that alone. Each
// median is of at least 9 timed runs (BENCH_RUNS, default 15, for Twingraph's; 9 for the reference's).
// The load average is printed beside the figures. Twingraph's DTDL stage is loaded on its own (dist/dtdl), as the
// reference parser is, not with the whole server (BENCH_ENTRY=dist/index.js for that).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_ENTRY=dist/index.js measures with the whole server loaded beside it (a larger heap to collect).
const { parseModels } = require(path.join(root, process.env.BENCH_ENTRY ?? path.join('dist', 'dtdl', 'index.js')));
const shared = path.resolve(process.env.TWINGRAPH_SHARED ?? path.join(root, '..', 'shared'));
const RUNS = Math.max(9, Number(process.env.BENCH_RUNS ?? 15));
const REFERENCE_RUNS = 9;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
// Warm means past V8's tiering and heap growth: Twingraph's runs keep getting faster for about ten runs (its
// many functions are compiled as they get hot, the heap grows to what a run needs); the reference parser's
// WebAssembly is compiled once and is steady after a run or two.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const REFERENCE_WARMUP = 3;

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
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}
/** Wall time of a run, and the CPU time this process spent in it (all its threads: the collector's too). */
function measure(fn) {
  const cpu0 = process.cpuUsage();
  const wall = time(fn);
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
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
console.log(`${os.cpus().length} cores; load average ${load()} (1, 5, 15 min) at the start`);

for (const name of ['realestatecore-v3', 'willow-building-v3']) {
  const dir = path.join(shared, 'dtdl', 'ontologies', name);
  if (!fs.existsSync(dir)) {
    console.log(`${name}: skipped, ${dir} not found`);
    continue;
  }
  const texts = files(dir).map((f) => fs.readFileSync(f, 'utf8'));
  // The reference parser takes one JSON text: the same documents, as one array.
  const all = JSON.stringify(texts.flatMap((t) => [JSON.parse(t.replace(/^\uFEFF/, ''))].flat()));
  let result;
  const first = time(() => (result = parseModels(texts)));
  if (!result.valid) throw new Error(`${name} did not parse as valid: ${result.errors[0]?.cause}`);
  const referenceFirst = reference ? time(() => reference.parse(all)) : undefined;
  for (let i = 0; i < WARMUP; i++) parseModels(texts);
  for (let i = 0; reference && i < REFERENCE_WARMUP; i++) reference.parse(all);
  const ours = [];
  const theirs = [];
  for (let round = 0; round < ROUNDS; round++) {
    parseModels(texts);
    while (ours.length < Math.ceil((RUNS * (round + 1)) / ROUNDS)) ours.push(measure(() => parseModels(texts)));
    if (!reference) continue;
    reference.parse(all);
    while (theirs.length < Math.ceil((REFERENCE_RUNS * (round + 1)) / ROUNDS))
      theirs.push(measure(() => reference.parse(all)));
  }
  const oursWarm = median(ours.map((r) => r.wall));
  const oursCpu = median(ours.map((r) => r.cpu));
  const line = [
    `${name}: ${result.models.interfaces.size} interfaces; twingraph first ${first.toFixed(1)} ms, median warm ${oursWarm.toFixed(1)} ms`,
  ];
  if (reference) {
    const warm = median(theirs.map((r) => r.wall));
    const cpu = median(theirs.map((r) => r.cpu));
    line.push(
      `reference first ${referenceFirst.toFixed(0)} ms, median warm ${warm.toFixed(1)} ms; speed-up warm ${(warm / oursWarm).toFixed(1)}x, first call ${(referenceFirst / first).toFixed(1)}x`,
      // CPU time does not count the time spent waiting for a core, which on a loaded machine is most of the noise.
      `CPU time median ${oursCpu.toFixed(1)} ms vs ${cpu.toFixed(1)} ms, ${(cpu / oursCpu).toFixed(1)}x`,
    );
  }
  line.push(`(${ours.length} and ${theirs.length} runs; load ${load()})`);
  console.log(line.join('; '));
}

const rec = path.join(shared, 'dtdl', 'ontologies', 'realestatecore-v3');
if (fs.existsSync(rec)) {
  const cli = path.join(root, 'bin', 'twingraph.js');
  const runs = [];
  for (let i = 0; i < 5; i++)
    runs.push(time(() => execFileSync(process.execPath, [cli, 'dtdl', 'validate', rec], { stdio: 'pipe' })));
  console.log(`twingraph dtdl validate realestatecore-v3 (fresh process): median ${median(runs).toFixed(0)} ms`);
}
