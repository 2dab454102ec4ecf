import type { HttpAnswer, HttpClient } from './http-client.js';
import { type LatencySummary, round, summarize } from './stats.js';

/** One request of the schedule. `ok` says which statuses are a success for it. */
export interface Shot {
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly ok: (status: number) => boolean;
  /** Parse the response body and hand it here (after the latency is taken). */
  readonly onAnswer?: (answer: HttpAnswer, doneAt: number) => void;
}

export interface OpenLoadOptions {
  /** Requests per second, sent on a fixed schedule whatever the server does. */
  readonly rate: number;
  readonly durationMs: number;
  /** A request not answered this long after its scheduled time counts as a timeout and is abandoned. */
  readonly timeoutMs: number;
  /** The i-th request of the schedule. */
  readonly next: (index: number) => Shot;
  /** Called once per answered request with its scheduled and answer times on the epoch clock (ms). Default: none. */
  readonly trace?: (kind: string, scheduledAt: number, doneAt: number, status: number) => void;
}

export interface KindResult extends LatencySummary {
  /** Answers with a status the request kind does not expect (a 500, a 404 for a pool member…). */
  readonly errors: number;
  readonly timeouts: number;
  readonly statuses: Record<string, number>;
}

export interface OpenLoadResult {
  readonly askedRate: number;
  /** Successful answers per second, from the first scheduled send to the last answer. */
  readonly achievedRate: number;
  readonly sent: number;
  readonly overall: KindResult;
  readonly kinds: Record<string, KindResult>;
  /** Wall time from the first scheduled send until every request was answered or abandoned. */
  readonly elapsedMs: number;
}

class KindRecorder {
  readonly latencies: number[] = [];
  errors = 0;
  timeouts = 0;
  readonly statuses: Record<string, number> = {};

  result(): KindResult {
    return { ...summarize(this.latencies), errors: this.errors, timeouts: this.timeouts, statuses: this.statuses };
  }
}

/**
 * An open-model load: request i is due at start + i/rate and is sent then, however many are still waiting.
 * Latency counts from that scheduled time, so a stalled client or server shows up in the figures instead of
 * silently lowering the rate (no coordinated omission).
 */
export async function runOpenLoad(client: HttpClient, options: OpenLoadOptions): Promise<OpenLoadResult> {
  const intervalMs = 1000 / options.rate;
  const total = Math.round((options.durationMs / 1000) * options.rate);
  const overall = new KindRecorder();
  const kinds = new Map<string, KindRecorder>();
  const inFlight = new Set<Promise<void>>();
  let ok = 0;
  let lastDone = 0;
  const start = performance.now();

  const fire = (index: number, scheduledAt: number) => {
    const shot = options.next(index);
    let recorder = kinds.get(shot.kind);
    if (!recorder) kinds.set(shot.kind, (recorder = new KindRecorder()));
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(scheduledAt + options.timeoutMs - performance.now())));
    const task = client.send(shot.method, shot.path, shot.body, { parse: Boolean(shot.onAnswer), signal }).then(
      (answer) => {
        const doneAt = performance.now();
        lastDone = doneAt;
        for (const target of [recorder, overall]) {
          target.latencies.push(doneAt - scheduledAt);
          target.statuses[answer.status] = (target.statuses[answer.status] ?? 0) + 1;
          if (!shot.ok(answer.status)) target.errors++;
        }
        if (shot.ok(answer.status)) ok++;
        shot.onAnswer?.(answer, doneAt);
        options.trace?.(shot.kind, performance.timeOrigin + scheduledAt, performance.timeOrigin + doneAt, answer.status);
      },
      (error: unknown) => {
        const timedOut = signal.aborted;
        for (const target of [recorder, overall]) {
          // A timeout stays in the latencies (as the timeout, a lower bound) so it cannot flatter the percentiles.
          if (timedOut) target.timeouts++, target.latencies.push(options.timeoutMs);
          else target.errors++;
          const label = timedOut ? 'timeout' : `network ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
          target.statuses[label] = (target.statuses[label] ?? 0) + 1;
        }
        if (!timedOut) lastDone = performance.now();
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Catch up on every request that fell due while the event loop was busy: each keeps its own scheduled time.
      while (sent < total && start + sent * intervalMs <= now) {
        fire(sent, start + sent * intervalMs);
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  while (inFlight.size) await Promise.all([...inFlight]);
  const seconds = (Math.max(lastDone, start + options.durationMs) - start) / 1000;
  return {
    askedRate: options.rate,
    achievedRate: round(ok / seconds, 1),
    sent,
    overall: overall.result(),
    kinds: Object.fromEntries([...kinds].map(([kind, recorder]) => [kind, recorder.result()])),
    elapsedMs: Math.round(performance.now() - start),
  };
}
