import { Agent, createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the app sent to DynamoDB (or DynamoDB Streams), as the proxy saw it. */
export interface SeenRequest {
  /** `DynamoDB_20120810.PutItem`, `DynamoDBStreams_20120810.GetRecords`, ... */
  readonly target: string;
  readonly body: string;
}

/**
 * Where, relative to the matched request, the crash lands:
 * - `before`: the request never reaches DynamoDB (the process died while sending it);
 * - `during`: it is forwarded and the process is killed at the same moment (the outcome races the kill);
 * - `after`: DynamoDB applied it, and the process dies before it reads the answer (written, never acknowledged).
 */
export type CrashPhase = 'before' | 'during' | 'after';

export interface Trigger {
  readonly matches: (request: SeenRequest) => boolean;
  /** Matching requests to let through before the one that fires. */
  readonly skip: number;
  readonly phase: CrashPhase;
  /** Kills the app; the proxy holds the matched request (or its answer) until this resolves. */
  readonly fire: () => Promise<void>;
}

/**
 * A loopback HTTP proxy between one app process and DynamoDB Local. It forwards everything, and can
 * crash the app at a chosen request: the kill then lands inside a save, a sequencer batch or a projection
 * commit exactly, instead of wherever a timer happens to fall. The app finds it through
 * `AWS_ENDPOINT_URL_DYNAMODB`, which DynamoDB Streams calls use too.
 */
export class DynamoProxy {
  private trigger: { readonly spec: Trigger; seen: number; resolve: (request: SeenRequest) => void } | undefined;
  private readonly agent = new Agent({ keepAlive: true });

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
  ) {}

  static async start(upstream: string): Promise<DynamoProxy> {
    let proxy: DynamoProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    proxy = new DynamoProxy(server, new URL(upstream));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Fires `trigger` once, on the (skip + 1)-th matching request; resolves with that request after the kill. */
  arm(trigger: Trigger): Promise<SeenRequest> {
    return new Promise((resolve) => (this.trigger = { spec: trigger, seen: 0, resolve }));
  }

  disarm(): void {
    this.trigger = undefined;
  }

  async close(): Promise<void> {
    this.trigger = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen = { target: String(req.headers['x-amz-target'] ?? ''), body: body.toString() };
    const armed = this.trigger;
    const fires = armed !== undefined && armed.spec.matches(seen) && armed.seen++ === armed.spec.skip;
    if (!fires) {
      await this.forward(req, body, res).catch(() => res.destroy());
      return;
    }
    this.trigger = undefined;
    const { phase, fire } = armed.spec;
    if (phase === 'before') {
      await fire();
      res.destroy();
    } else if (phase === 'during') {
      await Promise.all([this.forward(req, body, res).catch(() => res.destroy()), fire()]);
    } else {
      const answer = await this.send(req, body).catch(() => undefined);
      await fire();
      if (answer) res.writeHead(answer.status, answer.headers).end(answer.body);
      else res.destroy();
    }
    armed.resolve(seen);
  }

  private async forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const answer = await this.send(req, body);
    if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  private send(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          agent: this.agent,
          host: this.upstream.hostname,
          port: this.upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.upstream.host },
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            // The whole body is relayed at once: its length replaces any chunked encoding.
            const { 'transfer-encoding': _chunked, connection: _connection, ...headers } = response.headers;
            const all = Buffer.concat(parts);
            resolve({ status: response.statusCode ?? 502, headers: { ...headers, 'content-length': String(all.length) }, body: all });
          });
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
