// The address of what is on screen: #/graph[?twin=id] for the twin graph, #/models[?model=dtmi] for the models,
// so that a view can be bookmarked, shared and reached with the back button.

export interface Route {
  readonly view: 'graph' | 'models';
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { view: path === 'models' ? 'models' : 'graph', params: new URLSearchParams(query) };
}

export function navigate(view: Route['view'], params: Record<string, string> = {}): void {
  const query = new URLSearchParams(params).toString();
  location.hash = `#/${view}${query ? `?${query}` : ''}`;
}
