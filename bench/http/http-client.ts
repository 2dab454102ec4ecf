import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  /** The parsed JSON body, only when asked for (parsing costs the load generator CPU). */
  readonly body?: unknown;
}

/** A keep-alive HTTP/1.1 client for one base URL, on Node's own `http`. */
export class HttpClient {
  // `timeout` drops a socket idle for 4 s: Node's servers (Express's included) close idle keep-alive sockets
  // after 5 s, and a request sent on one just as it closes fails with ECONNRESET, a client artefact, not an app error.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, timeout: 4000 });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  /** Sends one request; rejects on network errors and when `signal` aborts (the request is destroyed). */
  send(method: string, path: string, json: unknown, options: { parse?: boolean; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          signal: options.signal,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (!options.parse) return resolve({ status });
            try {
              resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
            } catch {
              resolve({ status });
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
