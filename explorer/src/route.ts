// The address of what is on screen: #/graph[?twin=id] for the twin graph, #/models[?model=dtmi] for the models,
// #/portfolio for the engagements flagged as anomalous, #/mirror for the mirror to Azure Digital Twins, so that
// a view can be bookmarked, shared and reached with the back button.

export const VIEWS = ['graph', 'models', 'portfolio', 'mirror'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  readonly view: View;
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'graph';
  return { view, params: new URLSearchParams(query) };
}

export function href(view: View, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return `#/${view}${query ? `?${query}` : ''}`;
}

export function navigate(view: View, params: Record<string, string> = {}): void {
  location.hash = href(view, params);
}
