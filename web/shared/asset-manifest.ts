/**
 * URLs of the hashed worker scripts, written into each page by scripts/build-web.mjs as
 * `<script type="application/json" id="asset-manifest">` (inert JSON, allowed by the CSP).
 */
export interface AssetManifest {
  workers: Record<'editor.worker' | 'json.worker' | 'graphql.worker' | 'elk.worker', string>;
}

let cached: AssetManifest | undefined;

export function assetManifest(): AssetManifest {
  if (cached) return cached;
  const el = document.getElementById('asset-manifest');
  if (!el?.textContent) throw new Error('asset manifest missing from the page: rebuild with `node scripts/build-web.mjs`');
  cached = JSON.parse(el.textContent) as AssetManifest;
  return cached;
}

export function workerUrl(name: keyof AssetManifest['workers']): string {
  return assetManifest().workers[name];
}
