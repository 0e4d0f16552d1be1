'use strict';
/**
 * V8's compiled code of the CommonJS modules a run loads, kept on disk for the next run, on Node versions
 * without module.enableCompileCache (Node 20; 22.1+ does this itself, and bin/twingraph.js then uses Node's).
 * Compiling the server's thousand-odd modules is about a fifth of `twingraph start`; reading their compiled
 * code back is a fraction of that.
 *
 * Module.prototype._compile is wrapped: a CommonJS source is compiled with vm.Script and the code cache of an
 * earlier run, if there is one for this file with this very source (the key is a hash of both; V8 itself
 * refuses data of another V8 version or other flags), and run as Node runs a module (the same arguments, the
 * same require function). Anything else, and anything that fails to compile this way (ES module syntax,
 * which Node then detects), goes to Node's own _compile. The code caches of the modules compiled without one
 * are made once the start is over (their lazily compiled functions included) and written, with the entries of
 * the earlier runs still in use, to one file in NODE_COMPILE_CACHE's folder (as for Node's own cache; default
 * the system's temporary folder), written whole and renamed into place so that concurrent runs never read half
 * of one; a run reads the entries it needs one by one, never the whole file into memory. Modules required after
 * the start (10 s) compile as Node compiles them. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/**
 * How long after the cache is enabled its new entries are written (a start is over by then; a command that
 * ends sooner writes them at exit). Modules required later are not cached.
 */
const WRITE_AFTER_MS = 10_000;
/** Runs an entry may go unused before it is dropped (a command that loads other modules keeps the server's). */
const MAX_UNUSED_RUNS = 20;
const MAGIC = 'twingraph-compile-cache-1';

function cacheFile() {
  const dir = process.env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), 'node-compile-cache');
  const install = createHash('sha1').update(__dirname).digest('hex').slice(0, 12);
  return path.join(dir, `twingraph-${process.version}-${process.arch}-${install}.bin`);
}

/**
 * The cache file opened, with its index (key → where its entry lies, and for how many runs it went unused):
 * entries are read one by one as modules are compiled, so that the file is never held in memory whole. An
 * empty index when there is no file, or it is not ours.
 */
function openCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    // Code from a cache file is run as it is: only a file of this user is read.
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Error('not ours');
    const size = Buffer.alloc(4);
    fs.readSync(fd, size, 0, 4, 0);
    const headerLength = size.readUInt32LE(0);
    if (4 + headerLength > stat.size) throw new Error('truncated');
    const header = Buffer.alloc(headerLength);
    fs.readSync(fd, header, 0, headerLength, 4);
    const { magic, entries } = JSON.parse(header.toString('utf8'));
    if (magic !== MAGIC) throw new Error('not a cache of this format');
    const index = new Map();
    let offset = 4 + headerLength;
    for (const [key, length, unused] of entries) {
      index.set(key, { offset, length, unused });
      offset += length;
    }
    return { fd, index };
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    return { fd: undefined, index: new Map() };
  }
}

/** An entry's data, or undefined when the file is shorter than its index says. */
function readEntry(cache, entry) {
  const data = Buffer.allocUnsafe(entry.length);
  return fs.readSync(cache.fd, data, 0, entry.length, entry.offset) === entry.length ? data : undefined;
}

function writeCache(file, entries) {
  const keys = [...entries.keys()];
  const header = Buffer.from(
    JSON.stringify({ magic: MAGIC, entries: keys.map((k) => [k, entries.get(k).data.length, entries.get(k).unused]) }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  writePrivately(file, Buffer.concat([length, header, ...keys.map((k) => entries.get(k).data)]));
}

/**
 * Writes a cache file whole (renamed into place: concurrent runs never read half of one). The folder may be a
 * shared temporary one: only into a folder of this user that no one else may write to, and never through a
 * path someone placed there first (wx fails on any file or symlink).
 */
function writePrivately(file, data) {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== process.getuid()))
    throw new Error('the cache folder is not ours');
  if ((stat.mode & 0o022) !== 0) throw new Error('others may write to the cache folder');
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** What Node's own require function of a module is (lib/internal/modules/helpers.js, makeRequireFunction). */
function makeRequire(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Turns the cache on for the modules required from now on. Returns whether it did. */
function enableCompileCache() {
  const loader = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!loader || process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  // Node's own compile also registers source maps (--enable-source-maps) and checks policies: leave those runs to it.
  const flags = [...process.execArgv, process.env.NODE_OPTIONS || ''].join(' ');
  if (process.sourceMapsEnabled || /--enable-source-maps|--experimental-policy/.test(flags)) return false;
  const file = cacheFile();
  /** The cache file while modules are compiled with it; undefined once the start is over. */
  let cache = openCache(file);
  /** Modules compiled in this run without a usable entry: their caches are made when the cache is written. */
  let fresh = [];
  const used = new Set();
  const nodeCompile = Module.prototype._compile;

  Module.prototype._compile = function compile(content, filename, format) {
    if (!cache || (format !== undefined && format !== 'commonjs') || !/\.c?js$/.test(filename))
      return nodeCompile.apply(this, arguments);
    const key = createHash('sha1').update(filename).update('\0').update(content).digest('base64');
    const entry = cache.index.get(key);
    const cachedData = entry && readEntry(cache, entry);
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: loader });
    } catch {
      // Not CommonJS after all (Node detects ES module syntax), or not valid: Node's compile says which.
      return nodeCompile.apply(this, arguments);
    }
    if (cachedData && !script.cachedDataRejected) used.add(key);
    else fresh.push({ key, script });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return Reflect.apply(wrapper, this.exports, [
      this.exports,
      makeRequire(this),
      this,
      filename,
      path.dirname(filename),
    ]);
  };

  /** Writes the entries still in use and those of this run's new modules, if there are any, and closes the cache. */
  const finish = () => {
    if (!cache) return;
    const current = cache;
    cache = undefined;
    try {
      if (fresh.length > 0) {
        const next = new Map();
        for (const [key, entry] of current.index) {
          const unused = used.has(key) ? 0 : entry.unused + 1;
          const data = unused <= MAX_UNUSED_RUNS ? readEntry(current, entry) : undefined;
          if (data) next.set(key, { data, unused });
        }
        for (const { key, script } of fresh) next.set(key, { data: script.createCachedData(), unused: 0 });
        writeCache(file, next);
      }
    } catch {
      // No cache this time (a read-only or full disk): the next run compiles as Node does.
    } finally {
      fresh = [];
      if (current.fd !== undefined) fs.closeSync(current.fd);
    }
  };
  // The cache serves the start: modules required later (on a first write, say) compile as Node compiles them.
  setTimeout(finish, WRITE_AFTER_MS).unref();
  process.once('exit', finish);
  return true;
}

module.exports = { enableCompileCache, writePrivately };
