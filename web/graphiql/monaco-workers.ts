/**
 * Tells Monaco (GraphiQL's editor) where its workers are. Must run before anything imports
 * Monaco, so `main.ts` imports this module first. The workers are built by
 * scripts/build-web.mjs as classic scripts served from our own origin (no CDN, no blob:).
 */
import { workerUrl } from '../shared/asset-manifest';

type WorkerLabel = 'json' | 'graphql' | string;

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: WorkerLabel): Worker {
    switch (label) {
      case 'json':
        return new Worker(workerUrl('json.worker'), { name: 'monaco-json' });
      case 'graphql':
        return new Worker(workerUrl('graphql.worker'), { name: 'monaco-graphql' });
      default:
        return new Worker(workerUrl('editor.worker'), { name: 'monaco-editor' });
    }
  },
};
