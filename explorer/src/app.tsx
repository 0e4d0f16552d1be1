// The Explorer's shell: the header (views, the key field, the live state), the server's models and schema
// (read at start, again after any model change or new key), and the view the address names: #/graph[?twin=id]
// for the twin graph, #/models[?model=dtmi] for the models, #/portfolio for the anomalous engagements and
// #/mirror for the mirror to Azure Digital Twins. A server that wants a key and has none gets a sign-in form.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { credential, httpEndpoint, onCredentialChange } from './api/connection';
import { failureCode } from './api/graphql';
import { LiveSubscription } from './api/live';
import { hasField } from './api/schema';
import { loadServerInfo, type ServerInfo } from './server-info';
import { CredentialField, SignIn } from './ui/credential-field';
import { errorMessage } from './ui/format';
import { lazyView } from './ui/lazy';
import { LiveIndicator } from './ui/live-indicator';
import { href, parseRoute, type View } from './route';
import { portfolioModels } from './portfolio/portfolio-data';
import type { TwinGraphPageProps } from './graph/twin-graph-page';
import type { ModelsPageProps } from './models/models-page';
import type { PortfolioPageProps } from './portfolio/portfolio-page';
import type { MirrorPageProps } from './mirror/mirror-page';

const TwinGraphPage = lazyView<TwinGraphPageProps>(() =>
  import('./graph/twin-graph-page').then((m) => m.TwinGraphPage),
);
const ModelsPage = lazyView<ModelsPageProps>(() => import('./models/models-page').then((m) => m.ModelsPage));
const PortfolioPage = lazyView<PortfolioPageProps>(() =>
  import('./portfolio/portfolio-page').then((m) => m.PortfolioPage),
);
const MirrorPage = lazyView<MirrorPageProps>(() => import('./mirror/mirror-page').then((m) => m.MirrorPage));

const PAGES = { graph: TwinGraphPage, models: ModelsPage, portfolio: PortfolioPage, mirror: MirrorPage };

const TITLES: Record<View, string> = {
  graph: 'Twin graph',
  models: 'Models',
  portfolio: 'Portfolio',
  mirror: 'Mirror',
};

/** The views this server has something for: the portfolio with the analytics, the mirror with its plugin. */
function viewsOf(info: ServerInfo | null): View[] {
  const views: View[] = ['graph', 'models'];
  if (info && portfolioModels(info).length > 0) views.push('portfolio');
  if (info && hasField(info.schema, 'Query', 'mirrorStatus')) views.push('mirror');
  return views;
}

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
    // The view's code downloads while the models are read, not after.
    PAGES[parseRoute(location.hash).view].preload();
    reload();
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    const offCredential = onCredentialChange(() => {
      setInfo(null);
      reload();
    });
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

  useEffect(() => {
    document.title = `${TITLES[route.view]} · Twingraph Explorer`;
  }, [route.view]);

  const unauthenticated = error?.code === 'UNAUTHENTICATED';
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the view
      </a>
      <header class="top">
        <h1>Twingraph Explorer</h1>
        <nav aria-label="Views">
          {viewsOf(info).map((view) => (
            <a key={view} href={href(view)} aria-current={route.view === view ? 'page' : undefined}>
              {TITLES[view]}
            </a>
          ))}
          <a href={httpEndpoint()} target="_blank" rel="noreferrer">
            GraphiQL ↗
          </a>
        </nav>
        <LiveIndicator />
        <CredentialField />
      </header>
      <main class="view" id="main" tabIndex={-1}>
        {error ? (
          <div class="empty" data-testid={unauthenticated ? 'sign-in-needed' : 'server-error'}>
            <div role="alert">
              <h2>{unauthenticated ? 'Sign in: this server wants a key' : 'Twingraph did not answer'}</h2>
              {unauthenticated && <p>Twingraph answers only callers who show an API key or a token.</p>}
              <p class={unauthenticated ? 'muted' : ''}>{error.message}</p>
            </div>
            {unauthenticated ? (
              <SignIn refused={credential() !== ''} />
            ) : (
              <button type="button" onClick={reload}>
                Try again
              </button>
            )}
          </div>
        ) : !info ? (
          <p class="muted" role="status">
            Reading the models…
          </p>
        ) : route.view === 'models' ? (
          <ModelsPage info={info} selected={route.params.get('model')} />
        ) : route.view === 'portfolio' ? (
          <PortfolioPage info={info} />
        ) : route.view === 'mirror' ? (
          <MirrorPage info={info} />
        ) : (
          <TwinGraphPage info={info} twin={route.params.get('twin')} />
        )}
      </main>
    </div>
  );
}
