#!/usr/bin/env node
'use strict';
/**
 * The last step of `npm run build`: one `twingraph start` of the server just built, on a throwaway store, that
 * answers a twin by id and a page of twins and stops, so that the caches bin/twingraph.js keeps (V8's compiled
 * code of the modules a start loads, and where each of their require() calls led) are written for this build
 * before anyone starts it. Without it the first start after every build compiled and resolved the thousand-odd
 * modules afresh: about 1.8 times the hand-written server's start, against 1.3 times with warm caches
 * (`npm run bench:start-cold`, README). The caches go where a start would put them (NODE_COMPILE_CACHE's folder,
 * or <tmp>/node-compile-cache) under the same rules, so an image built with `npm run build` carries them when that
 * folder is inside it.
 *
 * The start runs with this process's Node flags (V8 refuses code cached under other ones), and none of the
 * server's settings from the environment: a build shell that has ADT_ENDPOINT or a Neo4j URI set must not mirror
 * to Azure or touch a database. It cannot fail the build: a start that does not come up, answer and stop within
 * a minute is stopped, and the build goes on with a warning (the first real start then warms the caches).
 * NODE_DISABLE_COMPILE_CACHE=1 skips it, as it turns the caches off.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const TIMEOUT_MS = 60_000;
/** What a start reads of the environment besides the server's settings: Node's own variables and the home. */
const KEPT =
  /^(PATH|HOME|USERPROFILE|TMPDIR|TMP|TEMP|SYSTEMROOT|NODE_OPTIONS|NODE_PATH|NODE_PRESERVE_SYMLINKS|NODE_COMPILE_CACHE)$/i;
/** Generic operations of every schema: the paths of a first answer (parsing, validation, execution, the store). */
const QUERIES = [
  { query: 'query($id: ID!) { twin(id: $id) { id etag } }', variables: { id: 'warm-up' } },
  { query: '{ twins(first: 1) { nodes { id etag } } }' },
];

function post(url, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode === 200 && text.startsWith('{"data":')) resolve(text);
          else reject(new Error(`the warm-up start answered ${response.statusCode}: ${text.slice(0, 200)}`));
        });
      },
    );
    request.on('error', reject);
    request.end(data);
  });
}

/** The URL the start logs once it serves (its first line with one). */
function servingUrl(child) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      buffered += text;
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(buffered);
      if (match) resolve(match[1]);
      else if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the warm-up start exited (${signal ?? code}) before serving`)),
    );
  });
}

async function warm() {
  const root = path.resolve(__dirname, '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-warm-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => KEPT.test(name)));
  const child = spawn(process.execPath, [...process.execArgv, path.join(root, 'bin', 'twingraph.js'), 'start'], {
    cwd: root,
    env: {
      ...env,
      TWINGRAPH_DB: path.join(dir, 'warm.db'),
      TWINGRAPH_SEED: 'models',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => (stderr = (stderr + text).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    const url = await servingUrl(child);
    for (const body of QUERIES) await post(url, body);
    // A stop as an operator's SIGTERM makes one: the caches are written as the process exits.
    child.kill('SIGTERM');
    const outcome = await exited;
    if (outcome !== 0) throw new Error(`the warm-up start stopped with ${outcome}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${error.message}${stderr ? `\n${stderr.trim()}` : ''}`);
  } finally {
    clearTimeout(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.NODE_DISABLE_COMPILE_CACHE) process.exit(0);
warm().then(
  () => undefined,
  (error) => {
    process.stderr.write(`twingraph: could not warm the start caches (the first start will): ${error.message}\n`);
  },
);
