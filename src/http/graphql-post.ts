import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GqlContext } from '../graphql/context';
import type { Principal } from '../auth/principal';
import { DomainError } from '../domain/errors';
import { httpStatusOf } from '../auth/access';

/**
 * POST /graphql from Node's HTTP server straight to Apollo's `executeHTTPGraphQLRequest`: what
 * `@as-integrations/express5` does behind `express.json()`, without Express's router, body
 * parser and ETag hashing, which together cost more CPU than the GraphQL execution of a claim
 * (HTTP profile of W1 (a)). Every other request (GET /graphql, /healthz, the web pages) still
 * goes through Express.
 *
 * Bodies are read here, so their errors are GraphQL-shaped JSON with a code rather than
 * Express's HTML error page: invalid JSON is 400 BAD_REQUEST, an oversized body 413
 * PAYLOAD_TOO_LARGE. Like `express.json()`, only `application/json` bodies are parsed; for
 * other content types Apollo answers (CSRF prevention, "POST body missing").
 */
export interface GraphqlPostOptions {
  bodyLimitBytes: number;
  /** The caller, from the Authorization header; throws UNAUTHENTICATED / RATE_LIMITED (answered 401 / 429, body unread). */
  admit: (req: IncomingMessage) => Promise<Principal>;
  context: (principal: Principal) => Promise<GqlContext>;
  onUnexpectedError: (e: unknown) => void;
}

export function isGraphqlPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !req.url) return false;
  const url = req.url;
  return url === '/graphql' || url.startsWith('/graphql?');
}

export function graphqlPostHandler(apollo: ApolloServer<GqlContext>, options: GraphqlPostOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(apollo, options, req, res).catch((e: unknown) => {
      // A client that hung up mid-request is not a server error: nothing to answer, nothing to log.
      if (req.socket.destroyed || res.destroyed) return void res.destroy();
      options.onUnexpectedError(e);
      if (!res.headersSent) sendError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    });
  };
}

async function handle(apollo: ApolloServer<GqlContext>, options: GraphqlPostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let principal: Principal;
  try {
    principal = await options.admit(req);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    req.resume(); // the body of a refused request is never read
    return sendRefusal(res, e);
  }
  let body: unknown;
  if (mediaType(req.headers['content-type']) === 'application/json') {
    const read = await readBody(req, options.bodyLimitBytes);
    if (read.tooLarge) return sendError(res, 413, `The request body is larger than the limit of ${options.bodyLimitBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    if (read.text.trim() === '') body = {};
    else {
      try {
        body = JSON.parse(read.text);
      } catch (e) {
        return sendError(res, 400, `The request body is not valid JSON: ${(e as Error).message}`, 'BAD_REQUEST');
      }
    }
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: query >= 0 ? url.slice(query) : '', body },
    context: () => options.context(principal),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon >= 0 ? contentType.slice(0, semicolon) : contentType).trim().toLowerCase();
}

/** The whole body as UTF-8, or `tooLarge` as soon as it passes the limit (the rest is drained). */
function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ text: '', tooLarge: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: tooLarge ? '' : Buffer.concat(chunks, size).toString('utf8'), tooLarge }));
    req.on('error', reject);
  });
}

/** 401 UNAUTHENTICATED (with WWW-Authenticate) or 429 RATE_LIMITED (with Retry-After), GraphQL-shaped. */
export function sendRefusal(res: ServerResponse, e: DomainError): void {
  const status = httpStatusOf(e);
  if (status === 401) res.setHeader('www-authenticate', 'Bearer');
  const retry = e.extensions.retryAfterSeconds;
  if (typeof retry === 'number') res.setHeader('retry-after', String(retry));
  const text = JSON.stringify({ errors: [{ message: e.message, extensions: { ...e.extensions, code: e.code } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
