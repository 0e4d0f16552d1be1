/**
 * GraphiQL for browsers that open /graphql: Yoga's self-contained GraphiQL build (with the explorer and
 * subscriptions over graphql-ws), served from node_modules, since a server may have no internet (no CDN).
 */
import path from 'node:path';
import express, { type Router } from 'express';

const ASSETS = path.dirname(require.resolve('@graphql-yoga/graphiql'));

const DEFAULT_QUERY = `# Twingraph: the twin graph, typed by its DTDL models.
# Ctrl-Enter runs; Ctrl-Space completes; the Docs panel lists every model's type.
{
  models { id graphqlType decommissioned }
  twins(first: 5) {
    totalCount
    nodes { id modelId lastUpdateTime }
  }
}
`;

/** The page; `endpoint` is where GraphiQL sends operations (HTTP, and graphql-ws for subscriptions). */
export function graphiqlPage(endpoint: string, assets: string): string {
  const options = JSON.stringify({ endpoint, subscriptionsProtocol: 'WS', title: 'Twingraph', query: DEFAULT_QUERY });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Twingraph GraphiQL</title>
<link rel="stylesheet" href="${assets}/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script>
  // Monaco's editor workers ship beside the bundle.
  self.MonacoEnvironment = {
    getWorker(_id, label) {
      const file = label === 'graphql' ? 'graphql.worker..bundle.js' : label === 'json' ? 'json.worker.bundle.js' : 'editor.worker.bundle.js';
      return new Worker('${assets}/monacoeditorwork/' + file);
    },
  };
</script>
<script src="${assets}/yoga-graphiql.umd.js"></script>
<script>YogaGraphiQL.renderYogaGraphiQL(document.getElementById('graphiql'), ${options});</script>
</body>
</html>`;
}

/** Serves the GraphiQL assets under `mount`. */
export function graphiqlAssets(): Router {
  return express.static(ASSETS, { immutable: true, maxAge: '1d', index: false }) as unknown as Router;
}
