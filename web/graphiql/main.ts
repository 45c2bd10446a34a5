// GraphiQL 5 at /graphiql, bundled from npm by scripts/build-web.mjs.
import './monaco-workers'; // first: sets MonacoEnvironment before Monaco is imported
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { graphqlWsUrl } from '../shared/endpoints';
import { mountSignOut, startSession, tokenRefused, wsConnectionParams } from '../shared/auth-token';
import { createFetcher } from './fetcher';
import { EXAMPLE_OPERATIONS, EXAMPLE_VARIABLES } from './example-operations';
import './graphiql-page.css';

startSession(); // the sign-in link, or the token form when this tab has no token

const wsClient = createClient({
  url: graphqlWsUrl(),
  connectionParams: wsConnectionParams,
  lazy: true, // connect when the first subscription starts
  retryAttempts: 5,
  on: {
    closed: (event) => {
      const e = event as CloseEvent | undefined;
      if (e?.code === 4403) tokenRefused(e.reason || 'the WebSocket was closed with 4403');
    },
  },
});
mountSignOut(document.body, 'position:fixed;right:8px;bottom:8px;z-index:1000;font-size:12px');

/**
 * GraphiQL fills the Variables pane from `initialVariables`, not from `defaultTabs`; pass it only
 * on a first visit, or every later visit would open an extra tab (GraphiQL keeps tabs in
 * localStorage under `graphiql:tabState`).
 */
function firstVisit(): boolean {
  try {
    return localStorage.getItem('graphiql:tabState') === null;
  } catch {
    return true;
  }
}

const container = document.getElementById('graphiql');
if (!container) throw new Error('#graphiql element missing');

createRoot(container).render(
  createElement(
    GraphiQL,
    {
      fetcher: createFetcher(wsClient),
      defaultQuery: EXAMPLE_OPERATIONS,
      defaultTabs: [{ query: EXAMPLE_OPERATIONS, variables: EXAMPLE_VARIABLES }],
      ...(firstVisit() ? { initialVariables: EXAMPLE_VARIABLES } : {}),
      defaultEditorToolsVisibility: 'variables',
      isHeadersEditorEnabled: true,
    },
    createElement(
      GraphiQL.Logo,
      null,
      createElement('a', { href: '/', className: 'scheduler-logo', title: 'Back to the dashboard' }, 'Task scheduler'),
    ),
  ),
);
