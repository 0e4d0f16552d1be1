/**
 * `twingraph mirror status | reconcile [--dry-run] | import`: the operator's view of the mirror to Azure
 * Digital Twins, on the configured store (TWINGRAPH_DB or NEO4J_URI) and ADT_ENDPOINT. They work beside a
 * running server (the store is shared) or without one.
 */
import type { GetTokenOptions, TokenCredential } from '@azure/core-http';
import { DefaultAzureCredential } from '@azure/identity';
import { loadConfig, type Config, type MirrorConfig } from '../config';
import { TwingraphError } from '../errors';
import { AdtError, isNotFound, type Adt } from './adt';
import { createAdt } from './client';
import { importFromAdt } from './import';
import { Mirror, mirrorOptions } from './mirror';
import { describeAction, isFinding, reconcile } from './reconcile';
import { ModelService } from '../services/models';
import { openStore } from '../store/open';
import type { TwinStore } from '../store/port';
import { UsageError } from '../errors';

/** How the commands reach ADT (tests give a client of their own). */
export interface MirrorCommandDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly adt?: (endpoint: string) => Adt;
  /** The credential for the endpoint (default: Azure's default chain for https://, none for http://). */
  readonly credential?: TokenCredential;
}

const write = (s: string): boolean => process.stdout.write(s);
const note = (s: string): boolean => process.stderr.write(s);

function endpointOf(config: Config, command: string): string {
  if (!config.mirror)
    throw new UsageError(
      `'twingraph mirror ${command}' needs ADT_ENDPOINT (the Azure Digital Twins instance, https://<name>.api.<region>.digitaltwins.azure.net)`,
    );
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

/** @azure/identity's errors: no credential found, or the token endpoint refused it. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);

function isCredentialError(error: unknown): error is Error {
  return error instanceof Error && CREDENTIAL_ERRORS.has(error.name);
}

/**
 * The commands' credential, remembering its failure. The SDK hands a credential's error on as it came, and the
 * ADT port takes an error without a status for a network failure — retried, then reported as "cannot reach".
 * This hands it on as a 401 instead (not retried), and the command names the credential's own error.
 */
class WatchedCredential implements TokenCredential {
  failure: Error | undefined;
  constructor(private readonly inner: TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): ReturnType<TokenCredential['getToken']> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.failure = e;
      throw Object.assign(new Error(e.message), { statusCode: 401, code: e.name });
    }
  }
}

function connect(mirror: MirrorConfig, deps: MirrorCommandDeps): { adt: Adt; credential?: WatchedCredential } {
  const { endpoint } = mirror;
  if (deps.adt) return { adt: deps.adt(endpoint) };
  const inner = deps.credential ?? (new URL(endpoint).protocol === 'https:' ? new DefaultAzureCredential() : undefined);
  const credential = inner && new WatchedCredential(inner);
  return {
    adt: createAdt(endpoint, { timeoutMs: mirror.requestTimeoutMs, ...(credential && { credential }) }),
    ...(credential && { credential }),
  };
}

/** On one line (core-http's messages can span several). */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * What went wrong, on one line (exit 1): Twingraph's refusals as they are; ADT that cannot be reached (no
 * answer, a wrong host, 5xx after the retries) or that does not take the credentials; the credential itself.
 */
function failed(command: string, error: unknown, endpoint?: string, credential?: WatchedCredential): number {
  const say = (s: string): number => (note(`twingraph mirror ${command}: ${s}\n`), 1);
  if (error instanceof TwingraphError) return say(error.message);
  // Import takes out what it wrote before it gives up (or says otherwise, as a TwingraphError).
  const after = command === 'import' ? ' Nothing was imported.' : '';
  const cause = isCredentialError(error)
    ? error
    : error instanceof AdtError && credential?.failure && error.code === credential.failure.name
      ? credential.failure
      : undefined;
  if (cause) return say(`cannot authenticate to ADT at ${endpoint}: ${cause.name}: ${oneLine(cause.message)}${after}`);
  if (error instanceof AdtError) {
    const auth = error.status === 401 || error.status === 403;
    // ADT answers 404 with its own codes about a thing; any other 404 comes from a host that is not an ADT instance.
    const hint = error.status === 404 && !isNotFound(error) ? ' (is ADT_ENDPOINT right?)' : '';
    return say(
      `${auth ? 'cannot authenticate to' : 'cannot reach'} ADT at ${endpoint}: ${error.describe(oneLine(error.message))}${hint}${after}`,
    );
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
    const shown = {
      endpoint: config.mirror?.endpoint ?? null,
      pending: status.pending,
      dead: status.dead,
      oldestPendingTime: status.oldestPendingTime,
      oldestPendingAgeSeconds: status.oldestPendingAgeSeconds,
    };
    if (options.json) {
      write(
        JSON.stringify(
          {
            ...shown,
            deadLetters: dead.map((e) => ({
              seq: e.seq,
              type: e.change.type,
              subject: e.change.subject,
              attempts: e.attempts,
              error: e.lastError ?? null,
            })),
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    write(`endpoint: ${shown.endpoint ?? '(ADT_ENDPOINT not set: no mirror)'}\n`);
    write(
      `pending:  ${status.pending}${status.oldestPendingAgeSeconds !== null ? ` (oldest waiting ${status.oldestPendingAgeSeconds.toFixed(1)} s)` : ''}\n`,
    );
    write(`dead:     ${status.dead}\n`);
    for (const e of dead)
      write(`  #${e.seq} ${e.change.type} ${e.change.subject} (${e.attempts} attempts): ${e.lastError ?? ''}\n`);
    if (status.dead > dead.length) write(`  … and ${status.dead - dead.length} more\n`);
    return 0;
  });
}

export async function mirrorReconcileCommand(
  options: { dryRun?: boolean },
  deps: MirrorCommandDeps = {},
): Promise<number> {
  const config = loadConfig(deps.env ?? process.env);
  const endpoint = endpointOf(config, 'reconcile');
  const dryRun = options.dryRun === true;
  let credential: WatchedCredential | undefined;
  try {
    const connected = connect(config.mirror!, deps);
    credential = connected.credential;
    const { adt } = connected;
    return await withStore(config.store, async (store) => {
      const report = await reconcile(store, adt, {
        dryRun,
        limits: mirrorOptions(config.mirror!).limits,
        retry: config.mirror!.retry,
        onAction: (action, error, skipped) =>
          write(
            skipped !== undefined
              ? `skipped ${describeAction(action)}: ${skipped}\n`
              : // A finding is not a repair: no "would" before it.
                `${dryRun && !isFinding(action) ? 'would ' : ''}${describeAction(action)}${error ? ` — FAILED: ${error}` : ''}\n`,
          ),
      });
      const { models, twins, relationships } = report.compared;
      const changes = report.actions.filter((a) => !isFinding(a)).length;
      const findings = report.actions.filter(isFinding).length;
      const repairs =
        changes === 0
          ? findings === 0
            ? 'ADT matches Twingraph'
            : 'nothing to repair'
          : `${changes} ${dryRun ? 'repairs needed' : 'repairs made'}`;
      write(
        `${dryRun ? 'Dry run: ' : ''}compared ${models} models, ${twins} twins, ${relationships} relationships; ${repairs}` +
          `${report.failures.length > 0 ? `, ${report.failures.length} failed` : ''}` +
          `${report.skipped.length > 0 ? `, ${report.skipped.length} skipped (no longer needed)` : ''}` +
          `${findings > 0 ? `; ${findings} difference(s) a person must settle (above)` : ''}.\n`,
      );
      return report.failures.length > 0 || report.actions.some(isFinding) ? 1 : 0;
    });
  } catch (error) {
    return failed('reconcile', error, endpoint, credential);
  }
}

export async function mirrorImportCommand(deps: MirrorCommandDeps = {}): Promise<number> {
  const config = loadConfig(deps.env ?? process.env);
  const endpoint = endpointOf(config, 'import');
  let credential: WatchedCredential | undefined;
  try {
    const connected = connect(config.mirror!, deps);
    credential = connected.credential;
    const { adt } = connected;
    // What comes from ADT is not mirrored back to it.
    return await withStore({ ...config.store, outbox: false }, async (store) => {
      const models = new ModelService(store);
      await models.load();
      let last = 0;
      let lastPhase: string | undefined;
      const summary = await importFromAdt(
        store,
        models,
        adt,
        (p) => {
          const now = Date.now();
          // At most two lines a second, but the first of each phase always (a fast import showed only models).
          if (now - last < 500 && p.phase === lastPhase) return;
          last = now;
          lastPhase = p.phase;
          note(`imported ${p.done} ${p.phase}\n`);
        },
        { retry: config.mirror!.retry },
      );
      const { skipped } = summary;
      for (const t of skipped.twins)
        note(`skipped twin ${t.id}: its model ${t.model} is not in ADT (deleted there; ADT keeps its twins)\n`);
      for (const r of skipped.relationships)
        note(`skipped relationship ${r.sourceId}/${r.relationshipId}: twin ${r.twinId} was skipped\n`);
      const left =
        skipped.twins.length + skipped.relationships.length > 0
          ? `; skipped ${skipped.twins.length} twins whose model ADT no longer has and ${skipped.relationships.length} relationships of theirs (named on stderr)`
          : '';
      write(
        `Imported from ${endpoint}: ${summary.models} models, ${summary.twins} twins, ${summary.relationships} relationships in ${(summary.ms / 1000).toFixed(1)} s${left}.\n`,
      );
      return 0;
    });
  } catch (error) {
    return failed('import', error, endpoint, credential);
  }
}
