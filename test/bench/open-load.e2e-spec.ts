import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '../../bench/http/http-client.js';
import { runOpenLoad, type Shot } from '../../bench/http/open-load.js';

describe('open-model load generator (bench/http)', () => {
  let server: Server;
  let client: HttpClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.writeHead(req.url === '/fail' ? 500 : 200).end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    client.close();
    server.closeAllConnections();
    server.close();
  });

  const shot = (path: string): Shot => ({ kind: path.slice(1), method: 'GET', path, ok: (status) => status === 200 });

  it('counts latency from the scheduled send time, so a stalled client shows up in the figures', async () => {
    const stallMs = 300;
    const result = await runOpenLoad(client, {
      rate: 100,
      durationMs: 1000,
      timeoutMs: 5000,
      next: (i) => {
        // The 11th request blocks the event loop: the ~30 requests due meanwhile leave late, and must say so.
        if (i === 10) for (const until = performance.now() + stallMs; performance.now() < until; );
        return shot('/ok');
      },
    });
    expect(result.sent).toBe(100);
    expect(result.overall.errors).toBe(0);
    expect(result.overall.max).toBeGreaterThanOrEqual(stallMs - 20);
    // Measured from the actual send, every request would take ~1 ms; from the schedule, a quarter waited > 100 ms.
    expect(result.overall.p90).toBeGreaterThan(100);
    expect(result.achievedRate).toBeGreaterThan(80);
  });

  it('reports unexpected statuses as errors and unanswered requests as timeouts, per kind', async () => {
    const paths = ['/ok', '/fail', '/hang'];
    const result = await runOpenLoad(client, { rate: 60, durationMs: 500, timeoutMs: 200, next: (i) => shot(paths[i % 3]!) });
    expect(result.sent).toBe(30);
    expect(result.kinds['ok']).toMatchObject({ count: 10, errors: 0, timeouts: 0 });
    expect(result.kinds['fail']).toMatchObject({ count: 10, errors: 10, timeouts: 0, statuses: { 500: 10 } });
    // A timeout stays in the latencies at the timeout, so it cannot flatter the percentiles.
    expect(result.kinds['hang']).toMatchObject({ count: 10, errors: 0, timeouts: 10, p50: 200 });
    expect(result.overall).toMatchObject({ count: 30, errors: 10, timeouts: 10 });
  });
});
