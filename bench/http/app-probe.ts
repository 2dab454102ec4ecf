// Preloaded (`node --import`) into the app by the bench's tail part, never by the app itself. It records, on
// the epoch clock both processes share: every outgoing DynamoDB request (operation, tables, when it was created,
// fully written, answered), every incoming HTTP request, the event loop's delay per 100 ms, and V8's GC pauses.
// On exit it writes them as JSON to BENCH_HTTP_PROBE_FILE. The bench lines them up with slow HTTP requests.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

const file = process.env['BENCH_HTTP_PROBE_FILE'];
const now = () => performance.timeOrigin + performance.now();

/** One DynamoDB request: op, tables (each table of a transaction once per item), bytes, when `end()` was called, flushed, answered. */
type Outgoing = [op: string, tables: string, bytes: number, createdAt: number, sentAt: number, answeredAt: number, reused: number];
type Incoming = [method: string, url: string, startedAt: number, finishedAt: number];

const outgoing: Outgoing[] = [];
const incoming: Incoming[] = [];
const loop: [at: number, maxMs: number, meanMs: number][] = [];
const gc: [at: number, ms: number, kind: number][] = [];
const open = new WeakMap<ClientRequest, Outgoing>();
const bodies = new WeakMap<ClientRequest, string>();

if (file) {
  // The SDK hands the whole JSON body to `end()`, before the channel below publishes the request: keep it.
  const end = ClientRequest.prototype.end;
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    const body = args[0];
    if (typeof body === 'string' || Buffer.isBuffer(body)) bodies.set(this, body.toString());
    return (end as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as typeof end;
  subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    const target = String(request.getHeader('x-amz-target') ?? '');
    const row: Outgoing = [target.slice(target.indexOf('.') + 1) || request.method, '', 0, now(), 0, 0, 0];
    open.set(request, row);
    const text = bodies.get(request) ?? '';
    row[2] = text.length;
    // Its table names tell the save from the feed and the views.
    row[1] = [...text.matchAll(/"TableName":"([^"]+)"/g)].map((m) => m[1]!.replace(/^.*-(\w+)$/, '$1')).join('+');
    request.once('finish', () => (row[4] = now()));
  });
  subscribe('http.client.response.finish', (message) => {
    const { request } = message as { request: ClientRequest; response: IncomingMessage };
    const row = open.get(request);
    if (!row) return;
    row[5] = now();
    row[6] = request.reusedSocket ? 1 : 0;
    outgoing.push(row);
  });
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const row: Incoming = [request.method ?? '', (request.url ?? '').replace(/\/[0-9a-f-]{36}/g, '/:id'), now(), 0];
    response.once('finish', () => {
      row[3] = now();
      incoming.push(row);
    });
  });
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  setInterval(() => {
    loop.push([now(), histogram.max / 1e6, histogram.mean / 1e6]);
    histogram.reset();
  }, 100).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gc.push([performance.timeOrigin + entry.startTime, entry.duration, ((entry as { detail?: { kind?: number } }).detail)?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });
  process.once('exit', () => writeFileSync(file, JSON.stringify({ outgoing, incoming, loop, gc })));
  // Nest closes the app on SIGTERM and raises it again to die by it, which skips 'exit': make that a normal exit.
  let signals = 0;
  process.on('SIGTERM', () => {
    if (++signals > 1) process.exit(0);
  });
}
