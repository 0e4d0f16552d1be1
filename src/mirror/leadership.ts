/**
 * One active mirror among the replicas sharing a store. ADT's rate limits belong to the instance, not to a
 * client: N replicas each keeping the limits would send N times them. So every replica runs this, and only
 * the one holding the store's `mirror` lease runs its worker; the others stand by, trying to take the lease,
 * and one of them takes over within a lease of the active one's death.
 *
 * Two replicas must never send in the same rate window, even when the active one stalls (a long GC pause, a
 * store that stops answering) and its lease runs out under it. So the active replica counts its term from
 * *before* it asked for the lease, and stops sending `guardMs` before that term ends, by its own monotonic
 * clock: the store's term ends later still, and only then can another take it. A lease given back (a graceful
 * stop) ends at once instead; the next holder learns how long ago from the store and waits out the rest of
 * a rate window before it sends. Durations only ever compare one clock with itself.
 */
import type { Leases } from '../store/port';

export interface LeadershipOptions {
  /** How long a term lasts unrenewed: another replica takes over this long after the active one dies. */
  readonly leaseMs: number;
  /** The active replica stops sending this long before its term ends (more than a rate window plus a request's way to ADT). */
  readonly guardMs: number;
  /** ADT's rate window: a new holder waits until this long after the last one's lease ended. */
  readonly windowMs: number;
  /** How often the lease is renewed, or tried for by those standing by. */
  readonly renewMs: number;
}

/** The lease's name in the store. */
export const MIRROR_LEASE = 'mirror';

export function leadershipOptions(leaseMs: number): LeadershipOptions {
  return { leaseMs, guardMs: Math.floor(leaseMs / 5), windowMs: 1100, renewMs: Math.floor(leaseMs / 5) };
}

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };

export class MirrorLeadership {
  private running = false;
  private active = false;
  /** Until when (performance.now()) this replica may send, while active. */
  private sendUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** The lead/follow transition under way, so that stop waits for it. */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Leases,
    private readonly holder: string,
    private readonly options: LeadershipOptions,
    /** Start and stop sending (the worker). */
    private readonly worker: { start(): void; stop(): Promise<void> },
    private readonly log: Log,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether this replica is the active mirror. */
  get leading(): boolean {
    return this.active;
  }

  /** Whether a request may go to ADT now: only from the active replica, and only inside its term's guard. */
  readonly maySend = (): boolean => this.active && this.now() < this.sendUntil;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops sending, then gives the lease back so that another replica takes over at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    await this.transition;
    if (this.active) await this.follow('stopping');
    await this.store.giveLease(MIRROR_LEASE, this.holder).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.attempt();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.renewMs);
        // The server keeps the process alive; a mirror left running (a test that failed midway) must not.
        timer.unref();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  private async attempt(): Promise<void> {
    const askedAt = this.now();
    let taken;
    try {
      taken = await this.store.takeLease(MIRROR_LEASE, this.holder, this.options.leaseMs);
    } catch (error) {
      // Not renewed: the term runs on until its guard, when the timer stops sending.
      this.log.warn({ err: error }, 'mirror: could not renew or take the active mirror’s lease');
      return;
    }
    if (!this.running) {
      if (taken) await this.store.giveLease(MIRROR_LEASE, this.holder).catch(() => undefined);
      return;
    }
    if (!taken) {
      if (this.active) await this.follow('another replica holds the lease');
      return;
    }
    const sendUntil = askedAt + this.options.leaseMs - this.options.guardMs;
    if (this.active) {
      this.extend(sendUntil);
      return;
    }
    // Let the last holder's requests leave ADT's window before this one's start.
    const settle = Math.max(0, this.options.windowMs - taken.sincePreviousMs);
    if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
    if (!this.running || this.now() >= sendUntil) return;
    this.extend(sendUntil);
    this.active = true;
    this.log.info({ holder: this.holder }, 'mirror: this replica is now the active mirror');
    this.transition = this.transition.then(() => this.worker.start());
    await this.transition;
  }

  /** Moves the end of sending and the timer that enforces it. */
  private extend(sendUntil: number): void {
    this.sendUntil = sendUntil;
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), Math.max(0, this.sendUntil - this.now()) + 1);
    this.timer.unref();
  }

  private expire(): void {
    if (!this.active) return;
    // A timer can fire a little before its time by this clock (Node counts from the event loop's cached time):
    // then it is set again, or the worker would go on running, though sending nothing (maySend says no).
    if (this.now() < this.sendUntil) this.arm();
    else void this.follow('its lease was not renewed in time');
  }

  private follow(why: string): Promise<void> {
    if (!this.active) return this.transition;
    this.active = false;
    clearTimeout(this.timer);
    this.log.warn({ holder: this.holder, why }, 'mirror: this replica stands by as a mirror');
    this.transition = this.transition.then(() => this.worker.stop());
    return this.transition;
  }
}
