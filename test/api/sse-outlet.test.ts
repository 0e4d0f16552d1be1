/**
 * An event stream's outlet (src/api/sse-outlet.ts) lets its operations write when the stream can take more,
 * and drops a stream whose client takes nothing for TWINGRAPH_STREAM_STALL_MS, but never one whose client is
 * reading, however slowly, even through one result too large to drain within that time. The response here is
 * a stand-in with the few things the outlet reads (whether it needs a drain, libuv's counts of what it was
 * handed and what it still queues), on a fake clock, so that each rule is exact; test/api/slow-subscriber.test.ts drops a real
 * stream end to end.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Outlet } from '../../src/api/sse-outlet';

const STALL_MS = 30_000;

/**
 * A response whose socket is full. Its handle keeps libuv's counts: `bytesWritten`, what was handed to libuv;
 * `writeQueueSize`, what of it the kernel has not taken yet.
 */
class FullResponse extends EventEmitter {
  writableNeedDrain = true;
  writableLength = 200_000;
  writable = true;
  destroyed = false;
  readonly socket = { _handle: { bytesWritten: 200_000, writeQueueSize: 150_000 } };

  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }

  /** The client read `bytes`: the kernel took as much from libuv's queue. */
  read(bytes: number): void {
    this.socket._handle.writeQueueSize -= bytes;
  }

  /** A chunk waiting in Node's buffer goes to libuv, which queues what the kernel has no room for. */
  handOver(bytes: number): void {
    this.socket._handle.bytesWritten += bytes;
    this.socket._handle.writeQueueSize += bytes;
  }

  /** Everything is out: Node says so. */
  drain(): void {
    this.writableNeedDrain = false;
    this.writableLength = 0;
    this.socket._handle.writeQueueSize = 0;
    this.emit('drain');
  }
}

function connected(): { outlet: Outlet; response: FullResponse } {
  const outlet = new Outlet(STALL_MS);
  const response = new FullResponse();
  outlet.connect(response as unknown as ServerResponse);
  return { outlet, response };
}

/** Whether `promise` has settled, after the microtasks queued so far. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('an event stream outlet', () => {
  it('lets an operation write at once while the stream can take more', async () => {
    const { outlet, response } = connected();
    response.writableNeedDrain = false;
    expect(await settled(outlet.ready())).toBe(true);
  });

  it('holds an operation until the stream drains', async () => {
    const { outlet, response } = connected();
    const ready = outlet.ready();
    expect(await settled(ready)).toBe(false);
    response.drain();
    expect(await settled(ready)).toBe(true);
    jest.advanceTimersByTime(10 * STALL_MS);
    expect(response.destroyed).toBe(false);
  });

  it('drops a stream whose client takes nothing for the stall limit, letting its operations go', async () => {
    const { outlet, response } = connected();
    const ready = outlet.ready();
    jest.advanceTimersByTime(STALL_MS - 1);
    expect(response.destroyed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(response.destroyed).toBe(true);
    expect(await settled(ready)).toBe(true);
  });

  it('keeps a stream whose client reads, however slowly, though it never drains; drops it once the reading stops', () => {
    const { outlet, response } = connected();
    void outlet.ready();
    for (let period = 0; period < 5; period++) {
      response.read(1_000);
      jest.advanceTimersByTime(STALL_MS);
      expect(response.destroyed).toBe(false);
    }
    jest.advanceTimersByTime(STALL_MS);
    expect(response.destroyed).toBe(true);
  });

  it('counts what the client read, not what moved from Node to libuv: a chunk handed over is no progress', () => {
    const { outlet, response } = connected();
    void outlet.ready();
    // The client takes the rest of a write; the next, larger chunk goes to libuv and mostly waits there.
    response.read(2_000);
    response.handOver(1_000_000);
    jest.advanceTimersByTime(STALL_MS);
    expect(response.destroyed).toBe(false);
    // The chunk handed over, but nothing read.
    response.handOver(1_000_000);
    jest.advanceTimersByTime(STALL_MS);
    expect(response.destroyed).toBe(true);
  });

  it('drops a stream whose socket has no such counts once it has not drained for the stall limit', () => {
    const { outlet, response } = connected();
    (response.socket as { _handle?: unknown })._handle = undefined;
    void outlet.ready();
    jest.advanceTimersByTime(STALL_MS);
    expect(response.destroyed).toBe(true);
  });

  it('sets one limit for all the operations waiting on one stream', () => {
    const { outlet, response } = connected();
    void outlet.ready();
    jest.advanceTimersByTime(STALL_MS / 2);
    void outlet.ready();
    jest.advanceTimersByTime(STALL_MS / 2);
    expect(response.destroyed).toBe(true);
  });

  it('never drops a reserved stream that is not connected yet (its reservation has its own timeout)', async () => {
    const outlet = new Outlet(STALL_MS);
    const ready = outlet.ready();
    jest.advanceTimersByTime(10 * STALL_MS);
    expect(await settled(ready)).toBe(false);
    const response = new FullResponse();
    response.writableNeedDrain = false;
    outlet.connect(response as unknown as ServerResponse);
    expect(await settled(ready)).toBe(true);
  });

  it('stops watching once the stream is closed', async () => {
    const { outlet, response } = connected();
    const ready = outlet.ready();
    outlet.close();
    expect(await settled(ready)).toBe(true);
    jest.advanceTimersByTime(10 * STALL_MS);
    expect(response.destroyed).toBe(false);
  });
});
