// The mirror to Azure Digital Twins as the server reports it (mirrorStatus, the mirror plugin's query, which
// needs the admin role) and the operator's two levers on dead letters: put them back in line, or drop them.
import { gql } from '../api/graphql';

export interface DeadLetter {
  /** A Long: kept as the server gave it, and given back so. */
  readonly seq: string | number;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly attempts: number;
  readonly error: string | null;
  readonly patch: unknown;
}

export interface MirrorStatus {
  readonly enabled: boolean;
  readonly running: boolean;
  readonly endpoint: string | null;
  readonly pending: number;
  readonly dead: number;
  readonly oldestPendingTime: string | null;
  readonly oldestPendingAgeSeconds: number | null;
  readonly mirrored: number;
  readonly mirroredPerSecond: number;
  readonly requests: number;
  readonly retries: number;
  readonly deadLettered: number;
  readonly lastError: { readonly time: string; readonly seq: string | number; readonly message: string } | null;
  readonly deadLetters: readonly DeadLetter[];
}

/** As many dead letters as one screen should list; the count says when there are more. */
export const SHOWN = 200;

const STATUS = `{
  mirrorStatus {
    enabled running endpoint pending dead oldestPendingTime oldestPendingAgeSeconds
    mirrored mirroredPerSecond requests retries deadLettered lastError { time seq message }
    deadLetters(first: ${SHOWN}) { seq type subject time attempts error patch }
  }
}`;

export async function readMirror(signal?: AbortSignal): Promise<MirrorStatus> {
  return (await gql<{ mirrorStatus: MirrorStatus }>(STATUS, undefined, signal)).mirrorStatus;
}

/** Puts dead letters back in line to be mirrored again (every one when `seqs` is undefined); how many. */
export async function retryDeadLetters(seqs?: readonly (string | number)[]): Promise<number> {
  const data = await gql<{ retryMirrorDeadLetters: number }>(
    'mutation ($seqs: [Long!]) { retryMirrorDeadLetters(seqs: $seqs) }',
    { seqs: seqs ?? null },
  );
  return data.retryMirrorDeadLetters;
}

/** Drops dead letters for good (every one when `seqs` is undefined); how many. */
export async function dropDeadLetters(seqs?: readonly (string | number)[]): Promise<number> {
  const data = await gql<{ dropMirrorDeadLetters: number }>(
    'mutation ($seqs: [Long!]) { dropMirrorDeadLetters(seqs: $seqs) }',
    { seqs: seqs ?? null },
  );
  return data.dropMirrorDeadLetters;
}

/** Where a change's subject is seen in the Explorer: a twin (or a relationship's source) or a model. */
export function subjectLink(subject: string): { view: 'graph' | 'models'; params: Record<string, string> } {
  if (subject.startsWith('dtmi:')) return { view: 'models', params: { model: subject } };
  return { view: 'graph', params: { twin: subject.split('/relationships/')[0]! } };
}
