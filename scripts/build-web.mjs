#!/usr/bin/env node
// Builds the two web pages (dashboard at `/`, GraphiQL at `/graphiql`) from `web/` into `dist/web/`.
//
//   node scripts/build-web.mjs           production build (minified, hashed names, .gz/.br copies)
//   node scripts/build-web.mjs --watch   development: rebuild on change, no compressed copies
//
// Output (served by src/http/web-pages.ts):
//   dist/web/dashboard.html, dist/web/graphiql.html   pages (asset URLs and worker URLs filled in)
//   dist/web/assets/*                                 content-hashed files (cached for a year)
//
// Everything the browser loads comes from npm packages bundled here: nothing is fetched from a
// CDN at run time. Two esbuild builds:
//   1. workers, as classic IIFE scripts: the three Monaco workers (editor, json, graphql) that
//      GraphiQL needs, and elkjs' own worker build (the graph layout runs off the main thread);
//   2. the pages, as ESM with code splitting (Monaco and prettier load lazily as chunks).
// The worker URLs reach the pages through a JSON block in the HTML (`#asset-manifest`), which
// `web/shared/asset-manifest.ts` reads; `web/graphiql/monaco-workers.ts` wires them into
// `globalThis.MonacoEnvironment.getWorker` before anything imports Monaco.
import * as esbuild from 'esbuild';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webSrc = path.join(root, 'web');
const watch = process.argv.includes('--watch');
const finalRoot = path.join(root, 'dist', 'web');
// A one-shot build goes to a staging folder and replaces dist/web at the end, so a running server
// (or a parallel test run, or a second build) never serves a half-deleted or half-written tree.
const outRoot = watch ? finalRoot : path.join(root, 'dist', `.web-staging-${process.pid}`);
const assetsDir = path.join(outRoot, 'assets');
const ASSET_URL = '/assets/';
const started = performance.now();

const WORKERS = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  'elk.worker': 'elkjs/lib/elk-worker.min.js',
};
const PAGES = {
  dashboard: { entry: 'web/dashboard/main.ts', html: 'web/dashboard/index.html', out: 'dashboard.html' },
  graphiql: { entry: 'web/graphiql/main.ts', html: 'web/graphiql/index.html', out: 'graphiql.html' },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  legalComments: watch ? 'none' : 'linked',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  define: { 'process.env.NODE_ENV': JSON.stringify(watch ? 'development' : 'production') },
  outdir: assetsDir,
  publicPath: ASSET_URL,
  metafile: true,
  logLevel: 'warning',
};

/** Maps entry name (the key in `entryPoints`) -> URL of its output file and of its CSS bundle. */
function outputsByEntry(metafile) {
  const url = (file) => ASSET_URL + path.relative(assetsDir, path.join(root, file)).split(path.sep).join('/');
  const byEntry = {};
  for (const [file, info] of Object.entries(metafile.outputs)) {
    if (!info.entryPoint || !file.endsWith('.js')) continue;
    const name = path.basename(file).replace(/-[A-Z0-9]{8}\.js$/, '');
    byEntry[name] = { js: url(file), css: info.cssBundle ? url(info.cssBundle) : undefined };
  }
  return byEntry;
}

/**
 * graphiql/style.css already carries Monaco's whole stylesheet (and the codicon font). Monaco's
 * own modules also `import './x.css'`; from lazily loaded chunks esbuild would emit those as
 * CSS files nobody loads (~700 kB of duplicates). Drop them.
 */
const dropMonacoCssImports = {
  name: 'drop-monaco-css-imports',
  setup(b) {
    b.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) && args.kind === 'import-statement'
        ? { path: args.path, namespace: 'dropped-css' }
        : undefined);
    b.onLoad({ filter: /.*/, namespace: 'dropped-css' }, () => ({ contents: '', loader: 'js' }));
  },
};

const escapeJsonForHtml = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

async function writePages(pageOutputs, workerOutputs) {
  const manifest = {
    workers: Object.fromEntries(Object.entries(workerOutputs).map(([name, o]) => [name, o.js])),
  };
  for (const [name, page] of Object.entries(PAGES)) {
    const out = pageOutputs[name];
    if (!out) throw new Error(`build-web: no output for page ${name}`);
    const tags = [
      `<script type="application/json" id="asset-manifest">${escapeJsonForHtml(manifest)}</script>`,
      out.css ? `<link rel="stylesheet" href="${out.css}">` : '',
      `<script type="module" src="${out.js}"></script>`,
    ].filter(Boolean).join('\n    ');
    const template = await fs.readFile(path.join(root, page.html), 'utf8');
    if (!template.includes('<!-- assets -->')) throw new Error(`${page.html}: missing <!-- assets --> marker`);
    await fs.writeFile(path.join(outRoot, page.out), template.replace('<!-- assets -->', tags));
  }
}

async function listFiles(dir) {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = await Promise.all(entries.map((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  }));
  return files.flat();
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);
const COMPRESSIBLE = /\.(js|css|html|json|svg|ttf|map|txt)$/;

/** Writes `.gz` and `.br` next to every compressible file larger than 1 kB. */
async function compressAll() {
  const files = (await listFiles(outRoot)).filter((f) => COMPRESSIBLE.test(f));
  const totals = { raw: 0, gz: 0, br: 0 };
  await Promise.all(files.map(async (file) => {
    const data = await fs.readFile(file);
    totals.raw += data.length;
    if (data.length <= 1024) {
      totals.gz += data.length;
      totals.br += data.length;
      return;
    }
    const [gz, br] = await Promise.all([
      gzip(data, { level: 9 }),
      // Quality 9 is within a few percent of 11 and several times faster on Monaco's 4 MB.
      brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
    ]);
    await fs.writeFile(`${file}.gz`, gz);
    await fs.writeFile(`${file}.br`, br);
    totals.gz += gz.length;
    totals.br += br.length;
  }));
  return { ...totals, files: files.length };
}

/** Bytes a browser downloads on first open of a page: HTML, entry, CSS and static imports. */
function firstLoadBytes(metafile, entryName) {
  const outputs = metafile.outputs;
  const entryFile = Object.keys(outputs).find((f) => outputs[f].entryPoint === PAGES[entryName].entry);
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f) || !outputs[f]) return;
    seen.add(f);
    for (const imp of outputs[f].imports) if (imp.kind === 'import-statement') visit(imp.path);
    if (outputs[f].cssBundle) visit(outputs[f].cssBundle);
  };
  visit(entryFile);
  return [...seen];
}

const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

/** Swaps the staging folder in as dist/web: two renames, a window of microseconds, not seconds. */
async function publish() {
  const old = path.join(root, 'dist', `.web-old-${process.pid}`);
  for (let attempt = 0; ; attempt++) {
    await fs.rename(finalRoot, old).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
    try {
      await fs.rename(outRoot, finalRoot);
      break;
    } catch (e) {
      // Another build published in between: move its tree aside too and try again.
      if (!['ENOTEMPTY', 'EEXIST'].includes(e.code) || attempt >= 5) throw e;
      await fs.rm(old, { recursive: true, force: true });
    }
  }
  await fs.rm(old, { recursive: true, force: true });
}

async function build() {
  await fs.rm(outRoot, { recursive: true, force: true });
  await fs.mkdir(assetsDir, { recursive: true });

  const workersBuild = await esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([n, s]) => [n, s])),
    format: 'iife',
    entryNames: 'workers/[name]-[hash]',
  });
  const workerOutputs = outputsByEntry(workersBuild.metafile);

  const pagesOptions = {
    ...common,
    entryPoints: Object.fromEntries(Object.entries(PAGES).map(([n, p]) => [n, p.entry])),
    format: 'esm',
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'files/[name]-[hash]',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    jsx: 'automatic',
    tsconfig: path.join(webSrc, 'tsconfig.json'),
    plugins: [dropMonacoCssImports],
  };

  if (watch) {
    const ctx = await esbuild.context({
      ...pagesOptions,
      plugins: [dropMonacoCssImports, {
        name: 'write-html',
        setup(b) {
          b.onEnd(async (result) => {
            if (result.errors.length || !result.metafile) return;
            await writePages(outputsByEntry(result.metafile), workerOutputs);
            console.log(`build-web: pages rebuilt ${new Date().toLocaleTimeString()}`);
          });
        },
      }],
    });
    await ctx.watch();
    console.log('build-web: watching web/ (Ctrl-C to stop); served from dist/web');
    return;
  }

  const pagesBuild = await esbuild.build(pagesOptions);
  await writePages(outputsByEntry(pagesBuild.metafile), workerOutputs);
  const totals = await compressAll();

  const sizeOf = async (files) => {
    let raw = 0, gz = 0;
    for (const f of files) {
      raw += (await fs.stat(path.join(root, f))).size;
      gz += await fs.stat(path.join(root, f) + '.gz').then((s) => s.size, () => 0) || (await fs.stat(path.join(root, f))).size;
    }
    return `${mib(raw)} raw/${mib(gz)} gz`;
  };
  const firstLoad = {
    dashboard: await sizeOf(firstLoadBytes(pagesBuild.metafile, 'dashboard')),
    graphiql: await sizeOf(firstLoadBytes(pagesBuild.metafile, 'graphiql')),
  };
  await publish();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `build-web: dist/web ${totals.files} files, ${mib(totals.raw)} raw, ${mib(totals.gz)} gzip, ${mib(totals.br)} brotli` +
    ` | first load: dashboard ${firstLoad.dashboard}, graphiql ${firstLoad.graphiql} | ${seconds} s`,
  );
}

build().catch(async (err) => {
  console.error(err);
  if (!watch) await fs.rm(outRoot, { recursive: true, force: true });
  process.exit(1);
});
