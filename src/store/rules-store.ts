/**
 * The writes of TwinStore, once for every adapter: ModelStore's uploads, decommissions and deletes, all of
 * TwinWrites, and MetricStore's appends. Each write method runs its rules (writes.ts) through the adapter's
 * `transact`, which supplies one transaction's primitives; the adapters add the reads.
 */
import type { DocumentLimits } from './documents';
import type { Steps } from './effects';
import type {
  AppendMetricsOptions,
  AppendMetricsResult,
  DeleteTwinOptions,
  IfMatch,
  IfNoneMatch,
  PatchRelationshipOptions,
  PatchTwinOptions,
  PatchTwinsOptions,
  RelationshipWrite,
  TwinPatchWrite,
  TwinWrite,
  WriteOptions,
} from './port';
import type {
  ChangeEntry,
  CommandOutcomeRecord,
  JsonPatch,
  JsonValue,
  MetricPoint,
  ModelInput,
  ModelRecord,
  Relationship,
  RelationshipInput,
  Twin,
  TwinInput,
} from './types';
import * as writes from './writes';

export abstract class RulesStore {
  protected abstract readonly limits: DocumentLimits;
  /** What each write waits on first (the change feed's back-pressure: events/change-feed.ts). */
  private readonly gates = new Set<() => Promise<void> | undefined>();

  /**
   * Runs one write's rules in one transaction, with the transaction's time; the change-log entries it makes
   * record `actor`.
   */
  protected abstract transact<T>(rules: (ctx: writes.WriteContext) => Steps<T>, actor: string | undefined): Promise<T>;

  /**
   * Holds this process's writes back while `gate` returns a promise, until it resolves: how the change feed
   * slows writers to what its subscribers can take. Returns the function that removes the gate.
   */
  gateWrites(gate: () => Promise<void> | undefined): () => void {
    this.gates.add(gate);
    return () => void this.gates.delete(gate);
  }

  /**
   * Every write goes through here: past the gates, then into its transaction (at once, within this call,
   * when no gate holds it).
   */
  private async write<T>(rules: (ctx: writes.WriteContext) => Steps<T>, options: WriteOptions): Promise<T> {
    for (const gate of this.gates) {
      const wait = gate();
      if (wait) await wait;
    }
    return this.transact(rules, options.actor);
  }

  putModels(models: readonly ModelInput[], options: WriteOptions = {}): Promise<ModelRecord[]> {
    return this.write((ctx) => writes.putModels(models, ctx), options);
  }

  decommissionModel(id: string, options: WriteOptions = {}): Promise<ModelRecord> {
    return this.write((ctx) => writes.decommissionModel(id, ctx), options);
  }

  deleteModel(id: string, options: WriteOptions = {}): Promise<void> {
    return this.write((ctx) => writes.deleteModel(id, ctx), options);
  }

  async createTwin(id: string, twin: TwinInput, options: IfNoneMatch = {}): Promise<Twin> {
    return (await this.createTwins([{ id, twin }], options))[0];
  }

  createTwins(twins: readonly TwinWrite[], options: IfNoneMatch = {}): Promise<Twin[]> {
    return this.write((ctx) => writes.createTwins(twins, options, ctx), options);
  }

  replaceTwin(id: string, twin: TwinInput, options: IfMatch = {}): Promise<Twin> {
    return this.write((ctx) => writes.replaceTwin(id, twin, options, ctx), options);
  }

  patchTwin(
    id: string,
    patch: JsonPatch | ((current: Twin) => JsonPatch),
    options: PatchTwinOptions = {},
  ): Promise<Twin> {
    return this.write((ctx) => writes.patchTwin(id, patch, options, ctx), options);
  }

  patchTwins(patches: readonly TwinPatchWrite[], options: PatchTwinsOptions = {}): Promise<Twin[]> {
    return this.write((ctx) => writes.patchTwins(patches, ctx, options.check), options);
  }

  deleteTwin(id: string, options: DeleteTwinOptions = {}): Promise<void> {
    return this.write((ctx) => writes.deleteTwin(id, options, ctx), options);
  }

  async putRelationship(
    sourceId: string,
    relationshipId: string,
    relationship: RelationshipInput,
    options: IfNoneMatch = {},
  ): Promise<Relationship> {
    return (await this.putRelationships([{ sourceId, relationshipId, relationship }], options))[0];
  }

  putRelationships(relationships: readonly RelationshipWrite[], options: IfNoneMatch = {}): Promise<Relationship[]> {
    return this.write((ctx) => writes.putRelationships(relationships, options, ctx), options);
  }

  patchRelationship(
    sourceId: string,
    relationshipId: string,
    patch: JsonPatch,
    options: PatchRelationshipOptions = {},
  ): Promise<Relationship> {
    return this.write((ctx) => writes.patchRelationship(sourceId, relationshipId, patch, options, ctx), options);
  }

  deleteRelationship(sourceId: string, relationshipId: string, options: IfMatch = {}): Promise<void> {
    return this.write((ctx) => writes.deleteRelationship(sourceId, relationshipId, options, ctx), options);
  }

  appendMetrics(points: readonly MetricPoint[], options: AppendMetricsOptions = {}): Promise<AppendMetricsResult> {
    return this.write((ctx) => writes.appendMetrics(points, options, ctx), options);
  }

  recordCommand(
    twinId: string,
    command: string,
    request?: JsonValue,
    options: WriteOptions = {},
  ): Promise<ChangeEntry> {
    return this.write((ctx) => writes.recordCommand(twinId, command, request, ctx), options);
  }

  recordCommandOutcome(
    twinId: string,
    outcome: CommandOutcomeRecord,
    options: WriteOptions = {},
  ): Promise<ChangeEntry> {
    return this.write((ctx) => writes.recordCommandOutcome(twinId, outcome, ctx), options);
  }
}
