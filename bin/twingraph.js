#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled library so that `npx twingraph` starts fast.
// Node 22.1+ keeps V8's compiled code of every module on disk between runs (a faster start); Node 20 has no such API.
require('node:module').enableCompileCache?.();
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
