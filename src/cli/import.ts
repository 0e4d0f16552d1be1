/**
 * `twingraph import <file.ndjson>`: loads a file in the format of ADT's Import Jobs API (./import-file.ts) into
 * the configured store, through the services every other write goes through (model validation and upload,
 * twin and relationship validation, the change log, the outbox).
 *
 * All or nothing, in two passes. The first checks the whole file and writes nothing: the format, the models
 * (against the stored ones: a model already stored with the same definition is skipped, another definition
 * of it refused), every twin against its model (the file's own models included) and every relationship against
 * both ends' models (twins of the file or of the store), each id once in the file. Every problem is reported
 * with its line number, and any problem stops the import there, with nothing written — a file with a broken
 * line on line 1,999,999 must not leave half of itself behind. `--dry-run` stops after this pass.
 *
 * The second pass writes: the new models in one upload, then twins and relationships in batches of
 * `--batch-size` (at most 1,000), each batch one transaction, all or nothing, through the same batch writes as
 * GraphQL's upsertTwins and upsertRelationships (which check every item again). One transaction for the whole
 * file would hold the store's write lock, and Neo4j's transaction memory, for as long as the file takes; per
 * batch, the server on the same store keeps serving in between. A batch can still be refused when someone
 * changes the store between the passes (a twin created meanwhile under --create-only, a model deleted): the
 * import stops at that batch, says which lines, and how many batches were committed before it. Imports are
 * upserts (ADT's PUT), so running the same file again once the cause is fixed completes it.
 *
 * Progress and problems go to a log of ADT's shape (NDJSON lines `{timestamp, jobId, jobType: "Import",
 * logType, details}`) when asked for, and the command prints a summary.
 */
import fs from 'node:fs';
import { parseModels } from '../dtdl';
import { loadConfig } from '../config';
import { isTwingraphError, UsageError, type ErrorCode } from '../errors';
import { PayloadValidators } from '../graphql/generate/validators';
import { MAX_BATCH_ITEMS } from '../services/batch-limits';
import { BatchFailed, ItemErrors } from '../store/batch-errors';
import { ModelService } from '../services/models';
import {
  prepareRelationshipUpserts,
  prepareTwinUpserts,
  twinsToRead,
  type BatchRules,
  type BatchStore,
} from '../services/twin-batches';
import { TwinService } from '../services/twins';
import { checkId } from '../store/documents';
import { openStore } from '../store/open';
import type { ModelStore, RelationshipWrite, TwinWrite } from '../store/port';
import type { JsonObject, RelationshipInput, Twin, TwinInput } from '../store/types';
import { readImportFile, type Section } from './import-file';

export interface ImportOptions {
  /** Check the file, write nothing. */
  readonly dryRun?: boolean;
  /** Twins or relationships per transaction (1 … MAX_BATCH_ITEMS; default MAX_BATCH_ITEMS). */
  readonly batchSize?: number;
  /** Twins and relationships must not exist yet (If-None-Match: * on each). */
  readonly createOnly?: boolean;
  /** The job's id in the log, and the actor its changes record (default: import-<start time>). */
  readonly jobId?: string;
  /** Receives the log lines, ADT's import log shape. */
  readonly log?: (entry: ImportLogEntry) => void;
  /** Problems kept in the summary (all are counted and logged). Default 100. */
  readonly maxProblems?: number;
}

/** What an import writes through. */
export interface ImportServices {
  readonly store: BatchStore & ModelStore;
  readonly models: ModelService;
  readonly twins: TwinService;
}

export interface ImportProblem {
  readonly line: number;
  readonly section?: Section;
  readonly code: ErrorCode;
  readonly message: string;
  readonly twinId?: string;
  readonly relationshipId?: string;
  readonly modelId?: string;
}

export interface ImportSummary {
  readonly jobId: string;
  readonly dryRun: boolean;
  /** Whether the whole file was written (false for a dry run, or when a problem stopped it). */
  readonly written: boolean;
  /** Models in the file; of them new (uploaded, or to upload) and already stored with the same definition. */
  readonly models: { readonly total: number; readonly new: number; readonly unchanged: number };
  readonly twins: number;
  readonly relationships: number;
  /** Twin and relationship batches committed. */
  readonly batches: number;
  /** How many problems were found, and the first `maxProblems` of them. */
  readonly failed: number;
  readonly problems: readonly ImportProblem[];
  /** Milliseconds checking (first pass) and writing (second pass). */
  readonly checkMs: number;
  readonly writeMs: number;
  /** Of writeMs, the milliseconds the twin and the relationship batches took (their writes alone). */
  readonly sectionMs: { readonly twins: number; readonly relationships: number };
}

export interface ImportLogEntry {
  readonly timestamp: string;
  readonly jobId: string;
  readonly jobType: 'Import';
  readonly logType: 'Info' | 'Error';
  readonly details: Record<string, unknown>;
}

/** The code of a line that breaks the file's format. */
const FORMAT_ERROR: ErrorCode = 'InvalidArgument';

/** A twin line as the batch writes take it: `$dtId` is the id, the rest the body (`$etag` is the server's). */
function twinWriteOf(value: JsonObject, createOnly: boolean): TwinWrite {
  const { $dtId, $etag: _etag, ...body } = value;
  return { id: $dtId as string, twin: body as TwinInput, ...(createOnly && { ifNoneMatch: '*' as const }) };
}

/** A relationship line as the batch writes take it: `$dtId` is its source. */
function relationshipWriteOf(value: JsonObject, createOnly: boolean): RelationshipWrite {
  const { $dtId, $relationshipId, $sourceId: _source, $etag: _etag, ...body } = value;
  return {
    sourceId: $dtId as string,
    relationshipId: $relationshipId as string,
    relationship: body as RelationshipInput,
    ...(createOnly && { ifNoneMatch: '*' as const }),
  };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function isId(value: unknown): value is string {
  try {
    checkId(value, 'twin');
    return true;
  } catch {
    return false;
  }
}

/** Problems found, counted, logged, and the first few kept. */
class Problems {
  readonly kept: ImportProblem[] = [];
  count = 0;
  constructor(
    private readonly max: number,
    private readonly log: (logType: 'Info' | 'Error', details: Record<string, unknown>) => void,
  ) {}

  add(problem: ImportProblem): void {
    this.count++;
    if (this.kept.length < this.max) this.kept.push(problem);
    this.log('Error', { ...problem });
  }

  /** The refused items of a batch, each at its line. */
  addItems(errors: BatchFailed | ItemErrors, lines: readonly number[], section: Section, total: number): void {
    const failure = errors instanceof BatchFailed ? errors : errors.failure(total);
    for (const item of failure?.items ?? []) {
      const { index, details: _details, related: _related, path: _path, ...rest } = item;
      this.add({ line: lines[index], section, ...rest });
    }
  }
}

/** One pass's batch of twin or relationship lines. */
interface Pending<T> {
  readonly lines: number[];
  readonly items: T[];
}

const empty = <T>(): Pending<T> => ({ lines: [], items: [] });

export async function importFile(
  file: string,
  services: ImportServices,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const jobId = options.jobId ?? `import-${new Date().toISOString()}`;
  const batchSize = options.batchSize ?? MAX_BATCH_ITEMS;
  const createOnly = options.createOnly === true;
  const log = (logType: 'Info' | 'Error', details: Record<string, unknown>): void =>
    options.log?.({ timestamp: new Date().toISOString(), jobId, jobType: 'Import', logType, details });
  const problems = new Problems(options.maxProblems ?? 100, log);
  const { store } = services;
  log('Info', { status: 'Started', file, dryRun: options.dryRun === true });

  // ── First pass: check everything, write nothing ─────────────────────────────────────────────────
  const snapshot = services.models.current;
  let rules: BatchRules = snapshot;
  const modelLines: { line: number; value: JsonObject }[] = [];
  /** Lines of models already stored with the same definition (skipped when writing). */
  const unchangedModels = new Set<number>();
  let modelsChecked = false;
  /** Each twin of the file: its first line, and the model it says (for its relationships' checks). */
  const twinLines = new Map<string, number>();
  const twinModels = new Map<string, string>();
  /** Models of store twins that relationships name, looked up once each (null: no such twin). */
  const storeModels = new Map<string, string | null>();
  const relationshipLines = new Map<string, number>();
  let twins = empty<TwinWrite>();
  let relationships = empty<RelationshipWrite>();
  let twinCount = 0;
  let relationshipCount = 0;

  const checkModels = async (): Promise<void> => {
    if (modelsChecked) return;
    modelsChecked = true;
    const stored = new Set(snapshot.records.map((r) => r.id));
    const fresh: { line: number; value: JsonObject }[] = [];
    for (const entry of modelLines) {
      const id = entry.value['@id'];
      if (typeof id !== 'string' || !stored.has(id)) {
        fresh.push(entry);
        continue;
      }
      const record = await store.getModel(id, { includeDefinition: true });
      if (canonical(record.definition) === canonical(entry.value)) unchangedModels.add(entry.line);
      else
        problems.add({
          line: entry.line,
          section: 'Models',
          code: 'ModelAlreadyExists',
          modelId: id,
          message: `Model '${id}' is stored with another definition. Models are immutable: give this one a new version (;2), or delete the stored one first.`,
        });
    }
    if (fresh.length === 0) return;
    const result = parseModels(
      fresh.map((m) => ({ name: `line ${m.line}`, text: JSON.stringify(m.value) })),
      { known: snapshot.models },
    );
    for (const error of result.errors) {
      problems.add({
        line: fresh[error.document ?? 0]?.line ?? fresh[0].line,
        section: 'Models',
        code: 'DTDLParserError',
        ...(error.primaryId !== undefined && { modelId: error.primaryId }),
        message: `${error.validationId}: ${error.cause} ${error.action}`.trim(),
      });
    }
    if (result.valid) rules = { ...snapshot, models: result.models, validators: new PayloadValidators(result.models) };
  };

  const checkTwins = async (batch: Pending<TwinWrite>): Promise<void> => {
    if (batch.items.length === 0) return;
    const ids = twinsToRead(batch.items, rules);
    const found = ids.length === 0 ? [] : await store.getTwins(ids);
    const current = new Map<string, Twin>();
    ids.forEach((id, i) => found[i] && current.set(id, found[i]));
    const errors = new ItemErrors('twins');
    prepareTwinUpserts(batch.items, rules, current, errors);
    problems.addItems(errors, batch.lines, 'Twins', batch.items.length);
  };

  const lookUpTwins = async (ids: Iterable<string>): Promise<void> => {
    const unknown = [...new Set(ids)].filter((id) => !twinModels.has(id) && !storeModels.has(id) && isId(id));
    if (unknown.length === 0) return;
    const found = await store.getTwins(unknown);
    unknown.forEach((id, i) => storeModels.set(id, found[i]?.$metadata.$model ?? null));
  };

  const checkRelationships = async (batch: Pending<RelationshipWrite>): Promise<void> => {
    if (batch.items.length === 0) return;
    await lookUpTwins(batch.items.flatMap((r) => [r.sourceId, r.relationship?.$targetId as string]));
    const errors = new ItemErrors('relationships');
    prepareRelationshipUpserts(
      batch.items,
      rules,
      (id) => twinModels.get(id) ?? storeModels.get(id) ?? undefined,
      errors,
    );
    problems.addItems(errors, batch.lines, 'Relationships', batch.items.length);
  };

  /** Counts a line's item once per file: a second line naming the same twin or relationship is a problem. */
  const firstInFile = (
    seen: Map<string, number>,
    key: string | undefined,
    line: number,
    problem: (first: number) => Omit<ImportProblem, 'line'>,
  ): boolean => {
    if (key === undefined) return true;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, line);
      return true;
    }
    problems.add({ line, ...problem(first) });
    return false;
  };

  const flushTwinChecks = async (): Promise<void> => {
    await checkTwins(twins);
    twins = empty();
  };
  const flushRelationshipChecks = async (): Promise<void> => {
    await checkRelationships(relationships);
    relationships = empty();
  };
  for await (const entry of readImportFile(file)) {
    if (entry.kind === 'error') {
      problems.add({
        line: entry.line,
        ...(entry.section && { section: entry.section }),
        code: FORMAT_ERROR,
        message: entry.message,
      });
      continue;
    }
    if (entry.kind === 'section') {
      // Twins are checked against the file's models, relationships against the file's twins: each section's
      // checks finish before the next one's start.
      if (entry.section === 'Twins' || entry.section === 'Relationships') await checkModels();
      if (entry.section === 'Relationships') await flushTwinChecks();
      log('Info', { section: entry.section, status: 'Started' });
      continue;
    }
    const { line, value } = entry;
    if (entry.section === 'Models') modelLines.push({ line, value });
    else if (entry.section === 'Twins') {
      twinCount++;
      const write = twinWriteOf(value, createOnly);
      const key = typeof write.id === 'string' ? write.id : undefined;
      const once = firstInFile(twinLines, key, line, (first) => ({
        section: 'Twins',
        code: 'InvalidArgument',
        ...(key !== undefined && { twinId: key }),
        message: `Twin '${key}' appears twice in the file (lines ${first} and ${line}): give each twin one line.`,
      }));
      if (!once) continue;
      const model = (value.$metadata as { $model?: unknown } | undefined)?.$model;
      if (key !== undefined && typeof model === 'string') twinModels.set(key, model);
      twins.lines.push(line);
      twins.items.push(write);
      if (twins.items.length >= batchSize) await flushTwinChecks();
    } else if (entry.section === 'Relationships') {
      relationshipCount++;
      const write = relationshipWriteOf(value, createOnly);
      const { sourceId, relationshipId } = write;
      const key =
        typeof sourceId === 'string' && typeof relationshipId === 'string'
          ? `${sourceId}\n${relationshipId}`
          : undefined;
      const once = firstInFile(relationshipLines, key, line, (first) => ({
        section: 'Relationships',
        code: 'InvalidArgument',
        twinId: sourceId,
        relationshipId,
        message: `Relationship '${relationshipId}' of twin '${sourceId}' appears twice in the file (lines ${first} and ${line}).`,
      }));
      if (!once) continue;
      relationships.lines.push(line);
      relationships.items.push(write);
      if (relationships.items.length >= batchSize) await flushRelationshipChecks();
    }
  }
  await checkModels();
  await flushTwinChecks();
  await flushRelationshipChecks();
  const checkMs = performance.now() - started;
  const sectionMs = { Twins: 0, Relationships: 0 };
  const modelCounts = {
    total: modelLines.length,
    new: modelLines.length - unchangedModels.size,
    unchanged: unchangedModels.size,
  };
  const summary = (written: boolean, batches: number, writeMs: number): ImportSummary => {
    // Found section by section and batch by batch; read in the order of the file.
    problems.kept.sort((a, b) => a.line - b.line);
    log('Info', {
      status: problems.count > 0 ? 'Failed' : 'Succeeded',
      written,
      models: modelCounts,
      twins: twinCount,
      relationships: relationshipCount,
      batches,
      problems: problems.count,
    });
    return {
      jobId,
      dryRun: options.dryRun === true,
      written,
      models: modelCounts,
      twins: twinCount,
      relationships: relationshipCount,
      batches,
      failed: problems.count,
      problems: problems.kept,
      checkMs,
      writeMs,
      sectionMs: { twins: sectionMs.Twins, relationships: sectionMs.Relationships },
    };
  };
  if (problems.count > 0 || options.dryRun) return summary(false, 0, 0);

  // ── Second pass: write, batch by batch ──────────────────────────────────────────────────────────
  const writing = performance.now();
  const actor = jobId;
  let batches = 0;
  const uploads: { line: number; text: string }[] = [];
  let uploaded = false;
  /** Uploads the file's new models, once, before the first twin; false when they were refused. */
  const upload = async (): Promise<boolean> => {
    if (uploaded) return true;
    uploaded = true;
    try {
      if (uploads.length > 0)
        await services.models.upload(
          uploads.map((u) => u.text),
          { actor },
        );
    } catch (error) {
      if (!isTwingraphError(error)) throw error;
      problems.add({ line: uploads[0].line, section: 'Models', code: error.code, message: error.message });
      return false;
    }
    log('Info', { section: 'Models', status: 'Succeeded', uploaded: uploads.length });
    return true;
  };
  const writeBatch = async <T>(
    section: 'Twins' | 'Relationships',
    batch: Pending<T>,
    write: (items: T[]) => Promise<unknown>,
  ): Promise<boolean> => {
    if (batch.items.length === 0) return true;
    const started = performance.now();
    try {
      await write(batch.items);
      batches++;
      return true;
    } catch (error) {
      if (error instanceof BatchFailed) problems.addItems(error, batch.lines, section, batch.items.length);
      else if (isTwingraphError(error))
        problems.add({ line: batch.lines[0], section, code: error.code, message: error.message });
      else throw error;
      log('Error', {
        section,
        status: 'Failed',
        message: `The batch of lines ${batch.lines[0]}–${batch.lines[batch.lines.length - 1]} was not written; ${batches} batches before it were.`,
      });
      return false;
    } finally {
      sectionMs[section] += performance.now() - started;
    }
  };
  const stopped = (): ImportSummary => summary(false, batches, performance.now() - writing);
  const flushTwins = async (): Promise<boolean> => {
    const batch = twins;
    twins = empty();
    return writeBatch('Twins', batch, (items) => services.twins.upsertTwins(items, { actor }));
  };
  const flushRelationships = async (): Promise<boolean> => {
    const batch = relationships;
    relationships = empty();
    return writeBatch('Relationships', batch, (items) => services.twins.upsertRelationships(items, { actor }));
  };
  twins = empty();
  relationships = empty();
  for await (const entry of readImportFile(file)) {
    if (entry.kind === 'section') {
      if ((entry.section === 'Twins' || entry.section === 'Relationships') && !(await upload())) return stopped();
      if (entry.section === 'Relationships' && !(await flushTwins())) return stopped();
      continue;
    }
    if (entry.kind !== 'item') continue;
    if (entry.section === 'Models') {
      if (!unchangedModels.has(entry.line)) uploads.push({ line: entry.line, text: JSON.stringify(entry.value) });
    } else if (entry.section === 'Twins') {
      twins.lines.push(entry.line);
      twins.items.push(twinWriteOf(entry.value, createOnly));
      if (twins.items.length >= batchSize && !(await flushTwins())) return stopped();
    } else if (entry.section === 'Relationships') {
      relationships.lines.push(entry.line);
      relationships.items.push(relationshipWriteOf(entry.value, createOnly));
      if (relationships.items.length >= batchSize && !(await flushRelationships())) return stopped();
    }
  }
  if (!(await upload()) || !(await flushTwins()) || !(await flushRelationships())) return stopped();
  return summary(true, batches, performance.now() - writing);
}

// ── The command ─────────────────────────────────────────────────────────────────────────────────────

export interface ImportCommandOptions {
  readonly dryRun?: boolean;
  readonly batchSize?: string;
  readonly createOnly?: boolean;
  readonly jobId?: string;
  readonly log?: string;
}

/** Opens the configured store, imports the file, prints problems (stderr) and a summary (stdout); the exit code. */
export async function importCommand(
  file: string,
  options: ImportCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const batchSize = options.batchSize === undefined ? MAX_BATCH_ITEMS : Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_ITEMS)
    throw new UsageError(`--batch-size is a whole number from 1 to ${MAX_BATCH_ITEMS}; got '${options.batchSize}'`);
  if (!fs.existsSync(file)) throw new UsageError(`Cannot read ${file}: no such file.`);
  const config = loadConfig(env);
  const logFile = options.log === undefined ? undefined : fs.openSync(options.log, 'w');
  const store = await openStore(config.store);
  try {
    const models = new ModelService(store);
    await models.load();
    const twins = new TwinService(store, () => models.current);
    const summary = await importFile(
      file,
      { store, models, twins },
      {
        ...(options.dryRun && { dryRun: true }),
        ...(options.createOnly && { createOnly: true }),
        ...(options.jobId !== undefined && { jobId: options.jobId }),
        batchSize,
        ...(logFile !== undefined && { log: (entry) => fs.writeSync(logFile, `${JSON.stringify(entry)}\n`) }),
      },
    );
    for (const p of summary.problems) process.stderr.write(`${file}:${p.line}: ${p.code}: ${p.message}\n`);
    if (summary.failed > summary.problems.length)
      process.stderr.write(
        `…and ${summary.failed - summary.problems.length} more problems${options.log ? ` (all in ${options.log})` : ''}.\n`,
      );
    process.stdout.write(`${describe(file, summary)}\n`);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
    if (logFile !== undefined) fs.closeSync(logFile);
  }
}

function describe(file: string, s: ImportSummary): string {
  const contents = `${s.models.total} models (${s.models.unchanged} already stored), ${s.twins} twins, ${s.relationships} relationships`;
  if (s.failed > 0) {
    const written =
      s.batches === 0
        ? 'Nothing was written.'
        : `${s.batches} batches before the refused one were written; fix the problem and run the import again to complete it.`;
    return `Did not import ${file} (job ${s.jobId}): ${s.failed} problem${s.failed === 1 ? '' : 's'} in ${contents}. ${written}`;
  }
  if (s.dryRun) return `Checked ${file}: ${contents}; no problems. Nothing was written (--dry-run).`;
  const seconds = s.writeMs / 1000;
  const rate = seconds > 0 ? Math.round((s.twins + s.relationships) / seconds) : 0;
  return `Imported ${file} (job ${s.jobId}): ${contents} in ${s.batches} batches, checked in ${(s.checkMs / 1000).toFixed(1)} s, written in ${seconds.toFixed(1)} s (${rate} twins and relationships a second).`;
}
