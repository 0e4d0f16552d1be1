// The Explorer's shell: the header (views, the key field, the live state), the server's models and schema
// (read at start, again after any model change or new key), and the view the address names:
// #/graph[?twin=id] for the twin graph, #/models[?model=dtmi] for the models.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { httpEndpoint, onCredentialChange } from './api/connection';
import { failureCode } from './api/graphql';
import { LiveSubscription } from './api/live';
import { loadServerInfo, type ServerInfo } from './server-info';
import { CredentialField } from './ui/credential-field';
import { errorMessage } from './ui/format';
import { lazyView } from './ui/lazy';
import { LiveIndicator } from './ui/live-indicator';
import { parseRoute } from './route';
import type { TwinGraphPageProps } from './graph/twin-graph-page';
import type { ModelsPageProps } from './models/models-page';

const TwinGraphPage = lazyView<TwinGraphPageProps>(() =>
  import('./graph/twin-graph-page').then((m) => m.TwinGraphPage),
);
const ModelsPage = lazyView<ModelsPageProps>(() => import('./models/models-page').then((m) => m.ModelsPage));

export function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [info, setInfo] = useState<ServerInfo | null>(null);
  const [error, setError] = useState<{ message: string; code?: string } | null>(null);

  const reload = useCallback(() => {
    loadServerInfo().then(
      (next) => {
        setInfo(next);
        setError(null);
      },
      (e: unknown) => setError({ message: errorMessage(e), code: failureCode(e) }),
    );
  }, []);

  useEffect(() => {
    reload();
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    const offCredential = onCredentialChange(reload);
    // A model uploaded anywhere (this tab or another client) changes the schema: read both again.
    const models = new LiveSubscription(
      'subscription ($since: Long) { modelChanged(since: $since) { seq type modelId } }',
      {},
      reload,
    );
    return () => {
      window.removeEventListener('hashchange', onHash);
      offCredential();
      models.stop();
    };
  }, [reload]);

  return (
    <div class="shell">
      <header class="top">
        <h1>Twingraph Explorer</h1>
        <nav aria-label="Views">
          <a href="#/graph" aria-current={route.view === 'graph' ? 'page' : undefined}>
            Twin graph
          </a>
          <a href="#/models" aria-current={route.view === 'models' ? 'page' : undefined}>
            Models
          </a>
          <a href={httpEndpoint()} target="_blank" rel="noreferrer">
            GraphiQL ↗
          </a>
        </nav>
        <LiveIndicator />
        <CredentialField />
      </header>
      <main class="view">
        {error ? (
          <div class="empty" role="alert">
            <h2>{error.code === 'UNAUTHENTICATED' ? 'This server wants a key' : 'Twingraph did not answer'}</h2>
            <p>{error.message}</p>
            {error.code === 'UNAUTHENTICATED' && <p>Set an API key or token with the Key button above.</p>}
            <button type="button" onClick={reload}>
              Try again
            </button>
          </div>
        ) : !info ? (
          <p class="muted">Reading the models…</p>
        ) : route.view === 'models' ? (
          <ModelsPage info={info} selected={route.params.get('model')} />
        ) : (
          <TwinGraphPage info={info} twin={route.params.get('twin')} />
        )}
      </main>
    </div>
  );
}
