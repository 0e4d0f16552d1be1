'use strict';
/**
 * Where each require() of a start led, kept on disk for the next run. Finding the file behind a module name
 * (Module._resolveFilename: the node_modules folders up the tree, package.json's main and exports, symlinks)
 * is about a fifth of `twingraph start`'s CPU time, more than compiling its thousand-odd modules with a code
 * cache; reading the answers back is a fraction of that.
 *
 * An answer depends only on the folder of the requiring module, the request, the process's flags and
 * NODE_PATH, and the files and folders Node looks at: those of the folders of the modules involved (the
 * requiring one and the file found) and the folders above them up to their package's root, that package.json,
 * and the node_modules folder (or its absence) of every folder above. Adding, removing or renaming an entry of
 * a folder changes the folder's ctime, rewriting a package.json its own; so the answers are reused only while
 * every one of these paths has the ctime and inode it had when they were found (or is still absent; a few
 * hundred stats, checked once at the start), and the flags are the same; otherwise none is (an `npm install`
 * or a build that adds a file makes the next start resolve afresh and write new answers).
 * Requests of Node's built-in modules, of a main module, with options (require.resolve's paths), from a
 * module whose lookup paths were changed, and ones that fail, always go to Node.
 *
 * The answers found in a run are written once the start is over (10 s, or at exit), with what they depend on
 * stat'ed then (not during the start), and only if none of it changed after the process started (its ctime
 * later: the answer may predate the change) and every folder of theirs is still there; with the earlier runs'
 * ones if those were still valid, to a JSON file next to the compile cache (same folder, same rules: a folder
 * of this user that no one else may write to, written whole and renamed into place; only a file of this user
 * is read). Answers needed after the start are found as Node finds them. NODE_DISABLE_COMPILE_CACHE=1 turns it
 * off too.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const WRITE_AFTER_MS = 10_000;
const MAGIC = 'twingraph-resolution-cache-3';

function cacheFile() {
  const dir = process.env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), 'node-compile-cache');
  const install = createHash('sha1').update(__dirname).digest('hex').slice(0, 12);
  return path.join(dir, `twingraph-resolutions-${process.version}-${process.arch}-${install}.json`);
}

/** What else decides an answer: flags (conditions, symlinks), NODE_PATH and the global folders under HOME. */
function context() {
  const env = process.env;
  return JSON.stringify([process.execArgv, env.NODE_OPTIONS, env.NODE_PATH, env.NODE_PRESERVE_SYMLINKS, env.HOME]);
}

/** A path's identity for this cache: its ctime and inode, or null when it does not exist. */
function identity(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.ctimeMs}:${stat.ino}` : null;
}

/**
 * How long before this process started a change still counts as made during the run: the kernel stamps file
 * times from a clock that runs up to a tick (4 to 10 ms) behind.
 */
const RECENT_MS = 50;

/** The answers of the file, if it is ours, of this format and context, and nothing they depend on changed. */
function readAnswers(file) {
  try {
    const stat = fs.statSync(file);
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return undefined;
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (data.magic !== MAGIC || data.context !== context()) return undefined;
    for (const [dependency, id] of Object.entries(data.paths)) if (identity(dependency) !== id) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

/** Turns the cache on for the modules required from now on. Returns whether it did. */
function enableResolutionCache() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  const file = cacheFile();
  const stored = readAnswers(file);
  /** request key → file, from earlier runs (valid) and this one. */
  const answers = new Map(stored ? Object.entries(stored.answers) : []);
  /** What the answers depend on: path → identity. */
  const paths = new Map(stored ? Object.entries(stored.paths) : []);
  /** A folder's node_modules lookup paths as Node makes them, to tell a module whose paths were changed. */
  const lookups = new Map();
  /** This run's answers as [requiring folder, file found]; what they depend on is recorded after the start. */
  const fresh = [];
  let active = true;

  /**
   * Records what answers involving a folder depend on: the folder and those above it up to its package's root
   * (the first holding a package.json, which is recorded too): the files a relative request or a package's
   * main could name, and the package.json that scopes them; and the node_modules of every folder above, there
   * or not, where package names are looked up. Nothing else above a package matters (a file added to /tmp
   * does not make a package's answers stale). Returns false if any of them changed since the process started
   * (the answers may predate the change) or a folder of theirs is gone.
   */
  const lookedUp = new Set();
  const since = performance.timeOrigin - RECENT_MS;
  /** A path's identity, or undefined if it changed after `since`. */
  const record = (file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return null;
    return stat.ctimeMs >= since ? undefined : `${stat.ctimeMs}:${stat.ino}`;
  };
  const dependOn = (dir) => {
    for (let d = dir; !paths.has(d);) {
      const id = record(d);
      if (!id) return false;
      paths.set(d, id);
      const manifest = path.join(d, 'package.json');
      const manifestId = record(manifest);
      if (manifestId === undefined) return false;
      if (manifestId !== null) {
        paths.set(manifest, manifestId);
        break;
      }
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
    for (let d = dir; ;) {
      const modules = path.join(d, 'node_modules');
      if (lookedUp.has(modules)) break;
      lookedUp.add(modules);
      const id = record(modules);
      if (id === undefined) return false;
      // One that is not there need not be recorded in a folder whose ctime is: making it changes that.
      if (id !== null || !paths.get(d)) paths.set(modules, id);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
    return true;
  };

  const nodeResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    if (!active || isMain || options !== undefined || !parent || typeof parent.filename !== 'string')
      return nodeResolve.apply(this, arguments);
    if (Module.isBuiltin(request)) return nodeResolve.apply(this, arguments);
    const from = path.dirname(parent.filename);
    let lookup = lookups.get(from);
    if (!lookup) lookups.set(from, (lookup = Module._nodeModulePaths(from)));
    const own = parent.paths;
    if (!own || own.length !== lookup.length || own.some((p, i) => p !== lookup[i]))
      return nodeResolve.apply(this, arguments);
    const key = `${from}\0${request}`;
    const known = answers.get(key);
    if (known !== undefined) return known;
    const filename = nodeResolve.apply(this, arguments);
    if (path.isAbsolute(filename)) {
      answers.set(key, filename);
      fresh.push([from, filename]);
    }
    return filename;
  };

  const finish = () => {
    if (!active) return;
    active = false;
    if (fresh.length === 0) return;
    try {
      // Something changed while the answers were found: leave them to the next run to find again.
      for (const [dependency, id] of paths) if (identity(dependency) !== id) return;
      for (const [from, filename] of fresh) if (!dependOn(from) || !dependOn(path.dirname(filename))) return;
      const { writePrivately } = require('./compile-cache.js');
      const data = {
        magic: MAGIC,
        context: context(),
        paths: Object.fromEntries(paths),
        answers: Object.fromEntries(answers),
      };
      writePrivately(file, Buffer.from(JSON.stringify(data)));
    } catch {
      // No cache this time (a read-only or full disk): the next run resolves as Node does.
    }
  };
  setTimeout(finish, WRITE_AFTER_MS).unref();
  process.once('exit', finish);
  return true;
}

module.exports = { enableResolutionCache };
