import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dynamoDbProtocol } from './dynamodb-protocol.js';
import { ActiveRule, type FaultCounts, FaultCounter } from './rules.js';
import { s3Protocol } from './s3-protocol.js';
import { PauseGate, type RuleHandle } from './rule-handle.js';
import type { ErrorFault, Fault, FaultKind, FaultRule, Protocol, RequestInfo } from './types.js';

export interface FaultProxyOptions {
  /** Where requests go, e.g. DynamoDB Local's `http://127.0.0.1:8000`. */
  readonly target: string;
  /** Tried in order; the first that accepts a request describes it. Default `[dynamoDbProtocol, s3Protocol]`. */
  readonly protocols?: readonly Protocol[];
  /** Seed of the generators behind `rate`. Default 1. */
  readonly seed?: number;
  /** Called once per request before any fault is chosen (for recording). Default: none. */
  readonly onRequest?: (request: RequestInfo) => void;
  /** Port on 127.0.0.1. Default: a free one. */
  readonly port?: number;
}

// Per hop: the proxy keeps its own connections to the target, and expects no `100 Continue` from it.
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'expect', 'proxy-connection', 'upgrade']);

function forwardHeaders(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_HEADERS.has(name)) result[name] = value;
  return result;
}

/** A loopback HTTP proxy in front of DynamoDB (Local) or an S3 server that injects faults chosen by rules. */
export class FaultProxy {
  private readonly rules: { readonly active: ActiveRule; readonly gate?: PauseGate }[] = [];
  private readonly counter = new FaultCounter();
  private readonly agent = new Agent({ keepAlive: true });
  private readonly target: URL;
  private ruleCount = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FaultProxyOptions,
    readonly endpoint: string,
  ) {
    this.target = new URL(options.target);
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    // Longer than the SDK keeps an idle connection, so the SDK never reuses one the proxy is closing.
    server.keepAliveTimeout = 60_000;
    server.listen(options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    proxy = new FaultProxy(server, options, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Adds a rule after the existing ones; the first rule that takes a request decides its fault. */
  addRule(rule: FaultRule): RuleHandle {
    const active = new ActiveRule(rule, (this.options.seed ?? 1) * 7919 + ++this.ruleCount);
    const gate = rule.fault.kind === 'pause' ? new PauseGate() : undefined;
    const entry = gate ? { active, gate } : { active };
    this.rules.push(entry);
    const remove = () => {
      const index = this.rules.indexOf(entry);
      if (index >= 0) this.rules.splice(index, 1);
      gate?.open();
    };
    return {
      get seen() { return active.seen; },
      get injected() { return active.injected; },
      get held() { return gate?.held ?? 0; },
      waitUntilHeld: (count, timeoutMs) =>
        gate ? gate.waitUntilHeld(count, timeoutMs) : Promise.reject(new Error(`a ${rule.fault.kind} rule holds nothing`)),
      release: remove,
      remove,
    };
  }

  /** Removes every rule and lets paused requests through. */
  clearRules(): void {
    for (const { gate } of this.rules.splice(0)) gate?.open();
  }

  /** Injected faults per kind and operation, e.g. `{ throttle: { PutItem: 2 } }`. */
  counts(): FaultCounts {
    return this.counter.snapshot();
  }

  /** How many faults were injected, of one kind or in all. */
  injected(kind?: FaultKind): number {
    return this.counter.total(kind);
  }

  async stop(): Promise<void> {
    this.clearRules();
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    this.agent.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const protocols = this.options.protocols ?? [dynamoDbProtocol, s3Protocol];
      const protocol = protocols.find((p) => p.accepts(req.headers)) ?? protocols[0]!;
      const body = protocol.readsBody ? Buffer.concat(await req.toArray()) : undefined;
      const request = protocol.describe(method, url, req.headers, body);
      this.options.onRequest?.(request);
      const chosen = this.rules.find((entry) => entry.active.take(request));
      if (!chosen) return this.forward(req, res, body, false);
      const fault: Fault = chosen.active.rule.fault;
      this.counter.add(fault.kind, request.operation);
      switch (fault.kind) {
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          return this.forward(req, res, body, false);
        case 'pause':
          await chosen.gate!.hold();
          return this.forward(req, res, body, false);
        case 'drop-response':
          return this.forward(req, res, body, true);
        case 'fail-before':
          req.resume();
          res.destroy();
          return;
        default:
          return this.answer(req, res, protocol.errorResponse(fault as ErrorFault, request));
      }
    } catch {
      res.destroy();
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, response: ReturnType<Protocol['errorResponse']>): void {
    req.resume(); // a streamed body the target will never read
    res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  }

  /** Sends the request to the target; `drop` waits for the whole answer, then cuts the client off instead. */
  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, drop: boolean, retried = false): void {
    let answered = false;
    const upstream = httpRequest(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: forwardHeaders(req.headers), agent: this.agent },
      (answer) => {
        answer.once('end', () => (answered = true));
        if (drop) {
          answer.resume();
          answer.once('end', () => res.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, forwardHeaders(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the target closed while idle: the request never arrived, so send it once more.
      if (body && !retried && upstream.reusedSocket && error.code === 'ECONNRESET') return this.forward(req, res, body, drop, true);
      res.destroy();
    });
    res.once('close', () => {
      // The client went away first: stop the target's answer too (its connection must not be reused half-read).
      if (!answered) upstream.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }
}

/** Starts a proxy on a free loopback port; point a client's `endpoint` at `proxy.endpoint`. */
export function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  return FaultProxy.start(options);
}
