// Loads a view's module on first use (the graph renderer and the editor are most of the bundle), showing a
// line while it comes.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (component) return;
      load().then(
        (c) => {
          loaded = c;
          setComponent(() => c);
        },
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
  };
}
