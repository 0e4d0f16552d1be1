/**
 * Stored rows back to records, once for both adapters: models, change-log entries and outbox entries. Each
 * adapter reads a plain row with these column names (SQLite's own columns, which its rows already carry; the
 * Neo4j adapter renames its node properties to them) and hands it here, so that the JSON parsing, which fields
 * are optional and how times come back are decided in one place. The two stores differ in how they keep a
 * flag (SQLite 0/1, Neo4j a boolean) and a list of ids (SQLite JSON text, Neo4j a list): the row types say so
 * and the decoders accept both.
 */
import { isoTime } from './changes';
import type { ChangeEntry, JsonPatch, ModelRecord, OutboxEntry } from './types';

/** A flag as SQLite (0 or 1) or Neo4j (a boolean, or no property) keeps it. */
type StoredFlag = number | boolean | null | undefined;

/** A list of ids as SQLite (JSON text) or Neo4j (a list; none when it was empty) keeps it. */
type StoredIds = string | readonly string[] | null | undefined;

export interface ModelRow {
  readonly id: string;
  readonly upload_time: string;
  readonly decommissioned: StoredFlag;
  readonly ancestors: StoredIds;
  readonly dependencies: StoredIds;
  /** JSON text of the language map, when the model has one. */
  readonly display_name?: string | null;
  readonly description?: string | null;
  /** JSON text of the DTDL document. */
  readonly definition?: string | null;
}

export interface ChangeRow {
  readonly seq: number;
  readonly time: string;
  readonly type: string;
  readonly subject: string;
  readonly model?: string | null;
  readonly twin?: string | null;
  readonly relationship?: string | null;
  /** JSON text of the patch, on updates. */
  readonly patch?: string | null;
  /** JSON text of the body. */
  readonly body: string;
  readonly actor?: string | null;
}

/** An outbox entry joined with its change (one row: the change's columns and the entry's). */
export interface OutboxRow extends ChangeRow {
  readonly partition: string;
  readonly status: string;
  readonly attempts: number;
  /** Epoch milliseconds. */
  readonly available_at: number;
  readonly last_error?: string | null;
  readonly resync?: StoredFlag;
}

function flag(value: StoredFlag): boolean {
  return value === true || value === 1;
}

function ids(value: StoredIds): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : [...(value ?? [])];
}

export function modelFromRow(row: ModelRow, includeDefinition: boolean): ModelRecord {
  return {
    id: row.id,
    uploadTime: row.upload_time,
    decommissioned: flag(row.decommissioned),
    ancestors: ids(row.ancestors),
    dependencies: ids(row.dependencies),
    ...(row.display_name != null && { displayName: JSON.parse(row.display_name) as Record<string, string> }),
    ...(row.description != null && { description: JSON.parse(row.description) as Record<string, string> }),
    ...(includeDefinition && { definition: JSON.parse(row.definition as string) }),
  };
}

// Numbers go through Number(): a driver may hand integers back in another numeric form.

export function changeFromRow(row: ChangeRow): ChangeEntry {
  return {
    seq: Number(row.seq),
    time: row.time,
    type: row.type as ChangeEntry['type'],
    subject: row.subject,
    ...(row.model != null && { modelId: row.model }),
    ...(row.twin != null && { twinId: row.twin }),
    ...(row.relationship != null && { relationshipId: row.relationship }),
    ...(row.patch != null && { patch: JSON.parse(row.patch) as JsonPatch }),
    body: JSON.parse(row.body),
    ...(row.actor != null && { actor: row.actor }),
  };
}

export function outboxFromRow(row: OutboxRow): OutboxEntry {
  return {
    seq: Number(row.seq),
    partition: row.partition,
    change: changeFromRow(row),
    attempts: Number(row.attempts),
    status: row.status as OutboxEntry['status'],
    availableAt: isoTime(Number(row.available_at)),
    ...(row.last_error != null && { lastError: row.last_error }),
    ...(flag(row.resync) && { resync: true }),
  };
}
