/**
 * `twingraph mirror status | reconcile [--dry-run] | import`: the operator's view of the mirror to Azure
 * Digital Twins, on the configured store (TWINGRAPH_DB or NEO4J_URI) and ADT_ENDPOINT. They work beside a
 * running server (the store is shared) or without one.
 */
import { loadConfig, type Config } from '../config';
import { TwingraphError } from '../errors';
import type { Adt } from '../mirror/adt';
import { createAdt } from '../mirror/client';
import { importFromAdt } from '../mirror/import';
import { Mirror, mirrorOptions } from '../mirror/mirror';
import { describeAction, isFinding, reconcile } from '../mirror/reconcile';
import { ModelService } from '../services/models';
import { openStore } from '../store/open';
import type { TwinStore } from '../store/port';
import { UsageError } from './dtdl-validate';

/** How the commands reach ADT (tests give a client of their own). */
export interface MirrorCommandDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly adt?: (endpoint: string) => Adt;
}

const write = (s: string): boolean => process.stdout.write(s);
const note = (s: string): boolean => process.stderr.write(s);

function endpointOf(config: Config, command: string): string {
  if (!config.mirror) throw new UsageError(`'twingraph mirror ${command}' needs ADT_ENDPOINT (the Azure Digital Twins instance, https://<name>.api.<region>.digitaltwins.azure.net)`);
  return config.mirror.endpoint;
}

async function withStore<T>(config: Config['store'], run: (store: TwinStore) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function failed(command: string, error: unknown): number {
  if (error instanceof TwingraphError) {
    note(`twingraph mirror ${command}: ${error.message}\n`);
    return 1;
  }
  throw error;
}

export async function mirrorStatusCommand(options: { json?: boolean }, deps: MirrorCommandDeps = {}): Promise<number> {
  const config = loadConfig(deps.env ?? process.env);
  return withStore(config.store, async (store) => {
    // Read-only: no worker runs in this process (the counters of a running server are in GraphQL's mirrorStatus).
    const mirror = new Mirror(store, undefined);
    const status = await mirror.status();
    const dead = await mirror.deadLetters(20);
    const shown = { endpoint: config.mirror?.endpoint ?? null, pending: status.pending, dead: status.dead, oldestPendingTime: status.oldestPendingTime, oldestPendingAgeSeconds: status.oldestPendingAgeSeconds };
    if (options.json) {
      write(JSON.stringify({ ...shown, deadLetters: dead.map((e) => ({ seq: e.seq, type: e.change.type, subject: e.change.subject, attempts: e.attempts, error: e.lastError ?? null })) }, null, 2) + '\n');
      return 0;
    }
    write(`endpoint: ${shown.endpoint ?? '(ADT_ENDPOINT not set: no mirror)'}\n`);
    write(`pending:  ${status.pending}${status.oldestPendingAgeSeconds !== null ? ` (oldest waiting ${status.oldestPendingAgeSeconds.toFixed(1)} s)` : ''}\n`);
    write(`dead:     ${status.dead}\n`);
    for (const e of dead) write(`  #${e.seq} ${e.change.type} ${e.change.subject} (${e.attempts} attempts): ${e.lastError ?? ''}\n`);
    if (status.dead > dead.length) write(`  … and ${status.dead - dead.length} more\n`);
    return 0;
  });
}

export async function mirrorReconcileCommand(options: { dryRun?: boolean }, deps: MirrorCommandDeps = {}): Promise<number> {
  const config = loadConfig(deps.env ?? process.env);
  const endpoint = endpointOf(config, 'reconcile');
  const adt = (deps.adt ?? createAdt)(endpoint);
  const dryRun = options.dryRun === true;
  try {
    return await withStore(config.store, async (store) => {
      const report = await reconcile(store, adt, {
        dryRun,
        limits: mirrorOptions(config.mirror!).limits,
        // A finding is not a repair: no "would" before it.
        onAction: (action, error) => write(`${dryRun && !isFinding(action) ? 'would ' : ''}${describeAction(action)}${error ? ` — FAILED: ${error}` : ''}\n`),
      });
      const { models, twins, relationships } = report.compared;
      const changes = report.actions.filter((a) => !isFinding(a)).length;
      const findings = report.actions.filter(isFinding).length;
      const repairs = changes === 0 ? (findings === 0 ? 'ADT matches Twingraph' : 'nothing to repair') : `${changes} ${dryRun ? 'repairs needed' : 'repairs made'}`;
      write(
        `${dryRun ? 'Dry run: ' : ''}compared ${models} models, ${twins} twins, ${relationships} relationships; ${repairs}` +
          `${report.failures.length > 0 ? `, ${report.failures.length} failed` : ''}` +
          `${findings > 0 ? `; ${findings} difference(s) a person must settle (above)` : ''}.\n`,
      );
      return report.failures.length > 0 || report.actions.some(isFinding) ? 1 : 0;
    });
  } catch (error) {
    return failed('reconcile', error);
  }
}

export async function mirrorImportCommand(deps: MirrorCommandDeps = {}): Promise<number> {
  const config = loadConfig(deps.env ?? process.env);
  const endpoint = endpointOf(config, 'import');
  const adt = (deps.adt ?? createAdt)(endpoint);
  try {
    // What comes from ADT is not mirrored back to it.
    return await withStore({ ...config.store, outbox: false }, async (store) => {
      const models = new ModelService(store);
      await models.load();
      let last = 0;
      let lastPhase: string | undefined;
      const summary = await importFromAdt(store, models, adt, (p) => {
        const now = Date.now();
        // At most two lines a second, but the first of each phase always (a fast import showed only models).
        if (now - last < 500 && p.phase === lastPhase) return;
        last = now;
        lastPhase = p.phase;
        note(`imported ${p.done} ${p.phase}\n`);
      });
      write(`Imported from ${endpoint}: ${summary.models} models, ${summary.twins} twins, ${summary.relationships} relationships in ${(summary.ms / 1000).toFixed(1)} s.\n`);
      return 0;
    });
  } catch (error) {
    return failed('import', error);
  }
}
