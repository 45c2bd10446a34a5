import http from 'node:http';
import { GqlError, GqlTransport } from './operations';
import { BENCH_AUTHORIZATION } from './auth';

/**
 * GraphQL over HTTP with keep-alive: one shared agent, so each worker reuses a socket instead
 * of paying a TCP handshake per request (what any production worker would do).
 */
export class HttpGql implements GqlTransport {
  private readonly target: URL;

  constructor(
    url: string,
    private readonly agent: http.Agent,
  ) {
    this.target = new URL(url);
  }

  static agent(sockets: number): http.Agent {
    return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const body = JSON.stringify({ query, variables });
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: BENCH_AUTHORIZATION },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: { data?: T; errors?: ConstructorParameters<typeof GqlError>[0] };
            try {
              parsed = JSON.parse(text);
            } catch {
              return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            }
            if (parsed.errors?.length) return reject(new GqlError(parsed.errors));
            if (parsed.data === undefined || parsed.data === null) return reject(new Error(`HTTP ${res.statusCode}: no data`));
            resolve(parsed.data);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
