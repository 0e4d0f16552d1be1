/**
 * What the test ADT server applied, write by write, for judging a mirror from ADT's side: every request's
 * body is kept (through the server's fault hook, which sees each parsed request before it is applied, and
 * injects nothing), and joined with the request log's status once answered, so that only writes ADT applied
 * (2xx, no fault) count. The workloads that use it put a version counter in every state they write (a
 * property whose value is `n` or `"v<n>"`, raised by one at each write of that twin or relationship), so the
 * order in which ADT applied a subject's writes can be read back: strictly increasing means nothing was
 * reordered or applied twice, and a delete must come last.
 */
import type { AdtRequestLogEntry, AdtServer } from '../support/adt-server';

export interface AppliedWrite {
  readonly time: number;
  readonly op: AdtRequestLogEntry['op'];
  /** `twin:<id>` or `rel:<source>/<relationshipId>`. */
  readonly subject: string;
  /** The version counter the write carried; Infinity for a delete; undefined when it touched no counter. */
  readonly version: number | undefined;
}

/** Where a subject's version counter lives: property names, as written in PUT bodies and JSON Patch paths. */
export type CounterProperties = readonly string[];

function counterValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^v(\d+)$/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

function versionOf(op: string, body: unknown, counters: CounterProperties): number | undefined {
  if (op.endsWith('.delete')) return Infinity;
  if (op.endsWith('.put') && body && typeof body === 'object')
    for (const name of counters) {
      const v = counterValue((body as Record<string, unknown>)[name]);
      if (v !== undefined) return v;
    }
  if (op.endsWith('.patch') && Array.isArray(body))
    for (const operation of body as { path?: string; value?: unknown }[])
      for (const name of counters) if (operation.path === `/${name}`) return counterValue(operation.value);
  return undefined;
}

function subjectOf(op: string, path: string): string | undefined {
  // /digitaltwins/<id> and /digitaltwins/<source>/relationships/<id>
  const parts = path.split('/');
  if (op.startsWith('twins.')) return `twin:${parts[2]}`;
  if (op.startsWith('relationships.') && parts.length === 5) return `rel:${parts[2]}/${parts[4]}`;
  return undefined;
}

export class AdtJournal {
  private readonly bodies = new Map<number, unknown>();
  private readonly offset: number;

  constructor(
    private readonly adt: AdtServer,
    private readonly counters: CounterProperties,
  ) {
    this.offset = adt.requests.length;
    adt.faults.hook((request) => {
      if (request.write) this.bodies.set(request.seq, request.body);
      return undefined;
    });
  }

  /** The twin and relationship writes ADT applied since the journal started, in arrival order. */
  applied(): AppliedWrite[] {
    const out: AppliedWrite[] = [];
    this.adt.requests.slice(this.offset).forEach((r, i) => {
      if (!r.write || r.faulted !== undefined || r.status < 200 || r.status >= 300) return;
      const subject = subjectOf(r.op, r.path);
      if (!subject) return;
      out.push({
        time: r.time,
        op: r.op,
        subject,
        version: versionOf(r.op, this.bodies.get(this.offset + i), this.counters),
      });
    });
    return out;
  }

  /**
   * Subjects whose applied writes did not carry strictly increasing versions, with the sequence ADT applied:
   * empty when nothing was reordered, applied twice, or written after its delete.
   */
  outOfOrder(): Record<string, (number | string)[]> {
    const bySubject = new Map<string, number[]>();
    for (const w of this.applied())
      if (w.version !== undefined)
        (bySubject.get(w.subject) ?? bySubject.set(w.subject, []).get(w.subject)!).push(w.version);
    const bad: Record<string, (number | string)[]> = {};
    for (const [subject, versions] of bySubject)
      if (versions.some((v, i) => i > 0 && v <= versions[i - 1]))
        bad[subject] = versions.map((v) => (v === Infinity ? 'delete' : v));
    return bad;
  }

  /**
   * Subjects whose applied writes went back to an older version (a reorder, or a write after its delete),
   * with the sequence ADT applied. Unlike outOfOrder, a write applied again right after itself is not counted:
   * see replays.
   */
  reordered(): Record<string, (number | string)[]> {
    const bad: Record<string, (number | string)[]> = {};
    for (const [subject, writes] of this.bySubject())
      if (writes.some((w, i) => i > 0 && w.version! < writes[i - 1].version!))
        bad[subject] = writes.map((w) => (w.version === Infinity ? 'delete' : w.version!));
    return bad;
  }

  /** Writes applied twice in a row (a replay of a request whose answer was lost), with both times. */
  replays(): { subject: string; version: number; first: number; again: number }[] {
    const out: { subject: string; version: number; first: number; again: number }[] = [];
    for (const [subject, writes] of this.bySubject())
      writes.forEach((w, i) => {
        if (i > 0 && w.version === writes[i - 1].version && w.version !== Infinity)
          out.push({ subject, version: w.version!, first: writes[i - 1].time, again: w.time });
      });
    return out;
  }

  private bySubject(): Map<string, AppliedWrite[]> {
    const bySubject = new Map<string, AppliedWrite[]>();
    for (const w of this.applied())
      if (w.version !== undefined) (bySubject.get(w.subject) ?? bySubject.set(w.subject, []).get(w.subject)!).push(w);
    return bySubject;
  }

  /** How many subjects had at least one versioned write applied (to show the check had material). */
  subjects(): number {
    return new Set(
      this.applied()
        .filter((w) => w.version !== undefined)
        .map((w) => w.subject),
    ).size;
  }

  stop(): void {
    this.adt.faults.hook(undefined);
  }
}
