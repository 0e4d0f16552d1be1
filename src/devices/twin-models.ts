/**
 * Which model each twin is, for routing device messages: read from the store in batches (DataLoader: the
 * misses of one tick are one `getTwins`), kept in memory, and forgotten when the change log says a twin was
 * created, replaced or deleted (the feature follows the log: caches are invalidated from it, on every
 * replica). A twin found missing is remembered only briefly, so that a device flooding an unknown id costs
 * one store read per `missTtlMs`, and a twin created meanwhile is found soon even before the log says so.
 */
import DataLoader from 'dataloader';
import type { Twin } from '../store/types';

interface Entry {
  readonly model: string | null;
  readonly at: number;
}

export class TwinModels {
  readonly #cache = new Map<string, Entry>();
  readonly #loader: DataLoader<string, string | null>;

  constructor(
    getTwins: (ids: readonly string[]) => Promise<(Twin | undefined)[]>,
    private readonly missTtlMs = 1000,
    private readonly maxEntries = 200_000,
  ) {
    this.#loader = new DataLoader(
      async (ids) => {
        const twins = await getTwins(ids);
        return twins.map((t) => t?.$metadata.$model ?? null);
      },
      { cache: false, maxBatchSize: 1000 },
    );
  }

  /** The twin's model, null when there is no such twin; synchronous when known. */
  get(id: string, now: number = Date.now()): string | null | Promise<string | null> {
    const hit = this.#cache.get(id);
    if (hit && (hit.model !== null || now - hit.at < this.missTtlMs)) return hit.model;
    return this.#loader.load(id).then((model) => {
      if (this.#cache.size >= this.maxEntries) this.#cache.clear();
      this.#cache.set(id, { model, at: Date.now() });
      return model;
    });
  }

  forget(id: string): void {
    this.#cache.delete(id);
  }

  clear(): void {
    this.#cache.clear();
  }
}
