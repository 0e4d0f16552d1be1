#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled library so that `npx twingraph` starts fast.
// V8's compiled code of every module kept on disk between runs (a faster start): Node 22.1+ does it itself; on
// Node 20, ./compile-cache.js does it for the CommonJS modules.
// Where each require() led is kept too (./resolution-cache.js): finding the files costs more than compiling them.
// V8's old-generation growing factor (TWINGRAPH_HEAP_GROWING_PERCENT, ../dist/heap.js) goes first: V8 refuses
// compiled code cached under other flags, so it must be in place before anything is compiled or cached. Node's
// own modules come precompiled for Node's default flags, so the ones the server uses are loaded just before it
// (one that is not listed only compiles from source: about 40 ms of a start when none was loaded first).
/** The Node modules a `twingraph start` loads (process.moduleLoadList after its first answer). */
const NODE_BUILTINS_OF_A_START = [
  'assert',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'fs/promises',
  'http',
  'https',
  'module',
  'net',
  'os',
  'perf_hooks',
  'stream',
  'stream/promises',
  'string_decoder',
  'tls',
  'tty',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const heap = require('../dist/heap.js');
const heapGrowingPercent = heap.heapGrowingPercentOf(process.env);
if (heapGrowingPercent) for (const builtin of NODE_BUILTINS_OF_A_START) require(builtin);
heap.applyHeapGrowing(heapGrowingPercent);
const nodeModule = require('node:module');
if (nodeModule.enableCompileCache) nodeModule.enableCompileCache();
else require('./compile-cache.js').enableCompileCache();
require('./resolution-cache.js').enableResolutionCache();
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err && err.stack ? err.stack : String(err));
      process.exitCode = 2;
    },
  );
