/** Accepts http(s):// or ws(s):// for the /graphql endpoint and returns both forms. */
export function endpoints(url: string): { http: string; ws: string } {
  const u = new URL(url);
  if (u.protocol === 'ws:' || u.protocol === 'wss:') {
    const http = new URL(url);
    http.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    return { http: http.toString(), ws: u.toString() };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`url must be http(s):// or ws(s)://, got ${url}`);
  const ws = new URL(url);
  ws.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http: u.toString(), ws: ws.toString() };
}

export function authorization(token: string | undefined): string | undefined {
  if (!token) return undefined;
  return token.startsWith('Bearer ') ? token : `Bearer ${token}`;
}
