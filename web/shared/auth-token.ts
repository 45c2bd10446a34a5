/**
 * The API token of the web pages. Kept in sessionStorage (gone when the tab closes; never in
 * localStorage or a cookie), read from the sign-in link's fragment (`/#token=…`: a fragment is
 * never sent to the server) and then removed from the address bar. When the server refuses the
 * token (HTTP 401, WebSocket close 4403) the pages show the sign-in form with the reason.
 */
const STORAGE_KEY = 'taskq:token';

function storage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

/** Moves a `#token=…` from the address bar into session storage. Call before anything talks to the server. */
export function consumeSignInLink(): void {
  const m = /^#(?:.*&)?token=([^&]+)/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]!));
  const rest = location.hash.slice(1).split('&').filter((p) => !p.startsWith('token=')).join('&');
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

export function getToken(): string | null {
  return storage()?.getItem(STORAGE_KEY) ?? null;
}

export function setToken(token: string): void {
  storage()?.setItem(STORAGE_KEY, token.trim());
}

export function clearToken(): void {
  storage()?.removeItem(STORAGE_KEY);
}

/** `Authorization` for fetch; empty without a token (the server then answers 401 and the form shows). */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** graphql-ws connectionParams (a function: read again at every reconnect). */
export function wsConnectionParams(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

let shown: HTMLElement | null = null;

/**
 * The sign-in form, over the page: a token field, a reason when one was refused. Saving stores
 * the token and reloads the page, so every client (HTTP, WebSocket) starts again with it.
 */
export function showSignIn(reason: string | null = null): void {
  if (shown) {
    const p = shown.querySelector<HTMLElement>('[data-testid="token-message"]');
    if (p && reason) p.textContent = reason;
    return;
  }
  const box = document.createElement('div');
  box.id = 'token-gate';
  box.setAttribute('data-testid', 'token-gate');
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-label', 'Sign in with an API token');
  box.style.cssText =
    'position:fixed;inset:0;z-index:10000;display:flex;align-items:center;justify-content:center;background:rgba(20,24,31,.55);font-family:system-ui,sans-serif';
  box.innerHTML = `
    <form style="background:#fff;color:#1b1f24;padding:1.5em 1.75em;border-radius:8px;max-width:32em;box-shadow:0 6px 30px rgba(0,0,0,.3)">
      <h2 style="margin:0 0 .5em;font-size:1.2em">Sign in with an API token</h2>
      <p data-testid="token-message" style="margin:0 0 1em"></p>
      <label style="display:block;margin-bottom:.75em">Token
        <input type="password" name="token" data-testid="token-input" autocomplete="off" spellcheck="false"
          placeholder="tsk_…" style="display:block;width:100%;box-sizing:border-box;margin-top:.25em;padding:.4em;font-family:monospace">
      </label>
      <button type="submit" data-testid="token-save">Sign in</button>
      <p style="margin:1em 0 0;font-size:.85em;color:#555">The server printed a sign-in link (…/#token=…) at its first start and saved the
        admin token in <code>&lt;DATA_DIR&gt;/admin-token</code>. The token stays in this tab only.</p>
    </form>`;
  box.querySelector<HTMLElement>('[data-testid="token-message"]')!.textContent =
    reason ?? 'This server requires an API token (Authorization: Bearer …).';
  box.querySelector('form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = box.querySelector<HTMLInputElement>('[data-testid="token-input"]')!.value.trim();
    if (!value) return;
    setToken(value);
    location.reload();
  });
  document.body.appendChild(box);
  shown = box;
  box.querySelector<HTMLInputElement>('input')!.focus();
}

/** The server refused the token: forget it and ask for another, saying why. */
export function tokenRefused(serverMessage: string): void {
  const had = getToken() !== null;
  // Requests refused together: the first one's reason stays on the form.
  if (!had && shown) return;
  clearToken();
  showSignIn(had ? `The server refused the token: ${serverMessage}` : 'This server requires an API token (Authorization: Bearer …).');
}

/** A small "Sign out" control (forgets the token in this tab). */
export function mountSignOut(parent: HTMLElement, style = ''): void {
  if (!getToken()) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Sign out';
  button.title = 'Forget the API token in this tab';
  button.setAttribute('data-testid', 'sign-out');
  if (style) button.style.cssText = style;
  button.addEventListener('click', () => {
    clearToken();
    location.reload();
  });
  parent.appendChild(button);
}

/** On page load: take the sign-in link, and ask for a token when there is none. */
export function startSession(): boolean {
  consumeSignInLink();
  if (getToken()) return true;
  showSignIn();
  return false;
}
