#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled library so that `npx twingraph` starts fast.
// V8's compiled code of every module kept on disk between runs (a faster start): Node 22.1+ does it itself; on
// Node 20, ./compile-cache.js does it for the CommonJS modules.
// Where each require() led is kept too (./resolution-cache.js): finding the files costs more than compiling them.
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
