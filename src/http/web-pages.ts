/**
 * Serves the two web pages built by `scripts/build-web.mjs` (run by `npm run build`):
 *
 *   GET /           the live dashboard     (<webRoot>/dashboard.html)
 *   GET /graphiql   GraphiQL 5             (<webRoot>/graphiql.html)
 *   GET /assets/*   their hashed scripts, styles, fonts and workers (<webRoot>/assets/)
 *
 * `webRoot` is the build output, `dist/web` at the repository root. `defaultWebRoot()` finds it
 * from both places the server runs: `src/http/` in development (`npm run dev`) and
 * `dist/src/http/` after `tsc` (`npm start`). Mount it like this, before or after Apollo's
 * `/graphql` middleware (the paths do not overlap):
 *
 *   import { defaultWebRoot, mountWebPages } from './http/web-pages';
 *   mountWebPages(app, { webRoot: defaultWebRoot() });
 *
 * The pages are read from disk on every request (no caching in the process), so rebuilding the
 * web assets while the server runs is picked up at once; if they were never built the pages
 * answer 503 with a message saying how to build them.
 *
 * Compression: the build writes `.br` and `.gz` copies next to every file over 1 kB; the one the
 * client accepts (Accept-Encoding) is sent with Content-Encoding and `Vary: Accept-Encoding`.
 * Caching: hashed assets for a year (`immutable`), the HTML `no-cache` (revalidated by ETag).
 * CSP: the HTML only allows this origin (Monaco's workers included), so any accidental load
 * from elsewhere fails loudly in the browser console instead of silently depending on a CDN.
 */
import type { Express, Request, Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';

export interface WebPagesOptions {
  /** Directory holding `dashboard.html`, `graphiql.html` and `assets/` (the `dist/web` build). */
  webRoot: string;
}

const PAGES: Record<string, string> = {
  '/': 'dashboard.html',
  '/graphiql': 'graphiql.html',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/**
 * Same origin only. Monaco and React set inline styles (hence 'unsafe-inline' for styles only);
 * fonts and a few icons are data: URLs inside the CSS; workers are our own scripts (blob: is
 * allowed for workers only, in case a library builds one). connect-src 'self' covers
 * ws(s):// to this host for graphql-ws. GraphiQL 5 needs no 'unsafe-eval'.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "child-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const NOT_BUILT =
  'The web pages are not built yet: run `npm run build` (or `node scripts/build-web.mjs`; ' +
  'add --watch while working on web/), then reload.\n';

/**
 * `dist/web` under the repository root, found by walking up to the nearest package.json.
 * Without one (a `dist/` copied on its own) the compiled file sits in dist/src/http: ../../web.
 */
export function defaultWebRoot(fromDir: string = __dirname): string {
  let dir = fromDir;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(fromDir, '../../web');
    dir = parent;
  }
  return path.join(dir, 'dist', 'web');
}

type Encoding = 'br' | 'gzip';

/** Precompressed encodings the client accepts (q > 0), best first; honours `*`. */
export function acceptedEncodings(acceptEncoding: string | undefined): Encoding[] {
  if (!acceptEncoding) return [];
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (enc: string) => (q.has(enc) ? q.get(enc)! > 0 : (q.get('*') ?? 0) > 0);
  return (['br', 'gzip'] as const).filter(accepts);
}

const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

function sendBuiltFile(req: Request, res: Response, file: string, cacheControl: string, extraHeaders: Record<string, string>): void {
  const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  const encoding = acceptedEncodings(req.get('accept-encoding')).find((enc) => fs.existsSync(file + SUFFIX[enc]));
  const variant = encoding ? file + SUFFIX[encoding] : null;
  res.vary('Accept-Encoding');
  res.set({
    'Content-Type': contentType, // set first: `send` keeps it instead of guessing from `.gz`
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  });
  if (encoding) res.set('Content-Encoding', encoding);
  res.sendFile(variant ?? file, { dotfiles: 'allow', cacheControl: false, lastModified: true, etag: true }, (err) => {
    if (!err || res.headersSent) return;
    res.removeHeader('Content-Encoding');
    res.status((err as { status?: number }).status === 404 ? 404 : 500).type('text/plain').send('Not found\n');
  });
}

export function mountWebPages(app: Express, options: WebPagesOptions): void {
  const webRoot = path.resolve(options.webRoot);
  const assetsRoot = path.join(webRoot, 'assets');

  for (const [route, fileName] of Object.entries(PAGES)) {
    app.get(route, (req, res) => {
      const file = path.join(webRoot, fileName);
      if (!fs.existsSync(file)) {
        res.status(503).set('Cache-Control', 'no-store').type('text/plain').send(NOT_BUILT);
        return;
      }
      sendBuiltFile(req, res, file, 'no-cache', {
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'Referrer-Policy': 'no-referrer',
      });
    });
  }

  // Every file under assets/ has a content hash in its name (scripts/build-web.mjs), so it
  // never changes: cache it for a year.
  app.get('/assets/*path', (req, res) => {
    const params = req.params as { path?: string[] | string };
    const relative = Array.isArray(params.path) ? params.path.join('/') : String(params.path ?? '');
    const file = path.resolve(assetsRoot, relative);
    if (!file.startsWith(assetsRoot + path.sep) || relative.split('/').some((s) => s.startsWith('.'))) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.status(fs.existsSync(webRoot) ? 404 : 503).type('text/plain').send(fs.existsSync(webRoot) ? 'Not found\n' : NOT_BUILT);
      return;
    }
    sendBuiltFile(req, res, file, 'public, max-age=31536000, immutable', {});
  });
}
