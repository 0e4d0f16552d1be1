// Loads a view's module on first use (the graph renderer and the editor are most of the bundle), showing a
// line while it comes. `preload()` starts the download early: the shell asks for the view in the address while
// it reads the server's models, rather than after.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type LazyView<P extends object> = ComponentType<P> & { preload(): void };

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const get = () =>
    (loading ??= load().then(
      (c) => (loaded = c),
      (e: unknown) => {
        loading = undefined; // a failed download may be tried again
        throw e;
      },
    ));
  function Lazy(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (component) return;
      get().then(
        (c) => setComponent(() => c),
        (e: unknown) => setError(String(e)),
      );
    }, [component]);
    if (error)
      return (
        <p role="alert" class="error">
          This view could not be loaded: {error}
        </p>
      );
    if (!component) return <p class="muted">Loading…</p>;
    const C = component;
    return <C {...props} />;
  }
  return Object.assign(Lazy, { preload: () => void get().catch(() => undefined) });
}
