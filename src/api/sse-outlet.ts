/**
 * Where the results of an event stream's operations go (./sse.ts): the response carrying the stream, once its
 * head is written (a reserved stream's operations may be POSTed before it is connected). Each operation waits
 * for `ready()` before its next result, so a client that reads slowly slows its own stream and nothing piles
 * up in the server.
 *
 * A client that stops reading altogether would be waited for as long as its socket stays open: its operations
 * never ask for their next change, so the lag limit, checked then, never ends them, and they and the stream's
 * connection slot stay held. So a wait for the stream to drain has a limit, `stallMs`
 * (TWINGRAPH_STREAM_STALL_MS), after which the stream is destroyed; but only a wait in which the client took
 * nothing. A slow reader of one large result takes it a piece at a time, and the stream drains only once the
 * whole of it is out: what counts is whether the kernel took any more of the stream's bytes since the timer
 * was set, as libuv's counts show it: the bytes handed to libuv less those it still queues, which only ever
 * grows, with every partial write. (Node's own `writableLength` drops only when a whole write is done, and a
 * chunk handed from Node's buffer to libuv raises libuv's queue by as much: neither says the client read.)
 * Where the socket has no such counts, only a drain counts. The kernel takes a slow reader's bytes in bursts,
 * as TCP reopens its window: measured on loopback, a client reading 1.3 MB a second from multi-megabyte writes was
 * dropped with a limit of 0.3 s and kept with 3 s; the setting's floor is a second, its default 30.
 */
import type { ServerResponse } from 'node:http';

/** The stream's bytes the kernel has taken so far (more means the client read), where libuv's counts say it. */
function taken(response: ServerResponse): number | undefined {
  const handle = (response.socket as { _handle?: { bytesWritten?: unknown; writeQueueSize?: unknown } } | null)
    ?._handle;
  if (typeof handle?.bytesWritten !== 'number' || typeof handle.writeQueueSize !== 'number') return undefined;
  return handle.bytesWritten - handle.writeQueueSize;
}

export class Outlet {
  private response: ServerResponse | undefined;
  private closed = false;
  private waiting: (() => void)[] = [];
  private stall: NodeJS.Timeout | undefined;
  private readonly wake = (): void => {
    clearTimeout(this.stall);
    this.stall = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  };

  constructor(private readonly stallMs: number) {}

  connect(response: ServerResponse): void {
    this.response = response;
    response.on('drain', this.wake);
    response.once('close', () => this.close());
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Writes an event framed by the caller (a shared payload's) beside graphql-sse's own, while the stream is open. */
  write(event: string): void {
    const response = this.response;
    if (!this.closed && response && response.writable && !response.destroyed) response.write(event);
  }

  /** Resolves when the stream can take another result, or is gone (then the operation is being let go of). */
  ready(): Promise<void> {
    const response = this.response;
    if (this.closed || (response && !response.writableNeedDrain)) return Promise.resolve();
    // Waiting for a drain (not for a reserved stream to be connected, which has its own timeout).
    if (response && !this.stall) this.watchStall(response);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private watchStall(response: ServerResponse): void {
    const then = taken(response);
    this.stall = setTimeout(() => {
      this.stall = undefined;
      const now = taken(response);
      if (then !== undefined && now !== undefined && now > then) this.watchStall(response);
      else response.destroy();
    }, this.stallMs).unref();
  }
}
