import type { Attributes, Histogram, Span } from '@opentelemetry/api';
import { instruments } from './instruments.js';
import { otel, SCOPE } from './otel.js';

/** Span attribute and metric attribute names. */
export const ATTR = {
  aggregateType: 'event_store.aggregate.type',
  aggregateId: 'event_store.aggregate.id',
  outcome: 'event_store.outcome',
  errorCode: 'event_store.error.code',
  projection: 'event_store.projection',
  fromPosition: 'event_store.position.from',
  toPosition: 'event_store.position.to',
  result: 'event_store.step.result',
} as const;

const tracer = otel?.trace.getTracer(SCOPE);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: otel!.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute(ATTR.errorCode, codeOf(error));
}

/**
 * Runs an aggregate operation in an active span (so the DynamoDB calls inside are its children when the
 * SDK is instrumented) and records its duration. `outcome` names a success for the histogram. Without an
 * SDK (a span that does not record, no-op metrics) it is a plain call: no extra promise, no context switch,
 * which matters because every promise costs more while the unit of work's AsyncLocalStorage is active.
 */
function timedOperation<T>(
  name: 'save' | 'load',
  aggregateType: string,
  aggregateId: string,
  work: () => Promise<T>,
  outcome: (value: T) => string,
): Promise<T> {
  if (!tracer) return work();
  const histogram = name === 'save' ? instruments()?.saveDuration : instruments()?.loadDuration;
  const span = tracer.startSpan(`event_store.${name}`, { attributes: { [ATTR.aggregateType]: aggregateType, [ATTR.aggregateId]: aggregateId } });
  if (!span.isRecording() && !histogram) return work();
  const api = otel!;
  return api.context.with(api.trace.setSpan(api.context.active(), span), () => settle(span, histogram, aggregateType, work, outcome));
}

async function settle<T>(span: Span, histogram: Histogram | undefined, aggregateType: string, work: () => Promise<T>, outcome: (value: T) => string): Promise<T> {
  const started = performance.now();
  let result = 'error';
  try {
    const value = await work();
    result = outcome(value);
    span.setAttribute(ATTR.outcome, result);
    return value;
  } catch (error) {
    result = codeOf(error);
    failed(span, error);
    throw error;
  } finally {
    span.end();
    histogram?.record((performance.now() - started) / 1000, { [ATTR.aggregateType]: aggregateType, [ATTR.outcome]: result });
  }
}

/** `AggregateRepository.save`: span `event_store.save`, histogram `event_store.save.duration`. */
export function traceSave<T extends { committed: boolean }>(aggregateType: string, aggregateId: string, work: () => Promise<T>): Promise<T> {
  return timedOperation('save', aggregateType, aggregateId, work, (result) => (result.committed ? 'committed' : 'unchanged'));
}

/** An aggregate load: span `event_store.load`, histogram `event_store.load.duration`. */
export function traceLoad<T>(aggregateType: string, aggregateId: string, work: () => Promise<T | undefined>): Promise<T | undefined> {
  return timedOperation('load', aggregateType, aggregateId, work, (found) => (found === undefined ? 'not_found' : 'found'));
}

/**
 * A background loop's step, as a span only when it did work (or failed): an idle poll is not a batch, and a
 * span per poll would flood traces. So the span is made after the fact, with the step's start time.
 */
async function tracedStep<R extends string>(name: string, attributes: Attributes, position: () => number, work: () => Promise<R>, worked: readonly R[]): Promise<R> {
  if (!tracer) return work();
  const startTime = Date.now();
  const from = position();
  let result: R;
  try {
    result = await work();
  } catch (error) {
    const span = tracer.startSpan(name, { startTime, attributes: { ...attributes, [ATTR.fromPosition]: from } });
    failed(span, error);
    span.end();
    throw error;
  }
  if (worked.includes(result)) {
    instruments(); // binds the lag gauges to an SDK registered after start-up, on nodes that only run the feed
    const span = tracer.startSpan(name, { startTime, attributes: { ...attributes, [ATTR.fromPosition]: from, [ATTR.toPosition]: position(), [ATTR.result]: result } });
    span.end();
  }
  return result;
}

/** One sequencer step: span `event_store.sequencer.batch` when it sequenced a batch; positions are the feed head's. */
export function traceSequencerStep<R extends string>(head: () => number, work: () => Promise<R>): Promise<R> {
  return tracedStep('event_store.sequencer.batch', {}, head, work, ['sequenced' as R]);
}

/** One projection step: span `event_store.projection.batch` when it applied (or parked) changesets. */
export function traceProjectionStep<R extends string>(projection: string, checkpoint: () => number, work: () => Promise<R>): Promise<R> {
  return tracedStep('event_store.projection.batch', { [ATTR.projection]: projection }, checkpoint, work, ['applied', 'stopped'] as R[]);
}
