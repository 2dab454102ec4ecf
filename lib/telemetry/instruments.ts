import type { BatchObservableResult, Histogram, Meter, MeterProvider, ObservableGauge } from '@opentelemetry/api';
import { otel, SCOPE } from './otel.js';

/** Lag of one projection, as the projection lag gauges report it. */
export interface ProjectionLag {
  readonly name: string;
  /** Feed head minus the projection's checkpoint, in positions. */
  readonly lagPositions: number;
  /** Age of the oldest changeset not applied yet, in seconds. */
  readonly lagSeconds: number;
}

export type LagSource = () => Promise<readonly ProjectionLag[]>;

interface Instruments {
  readonly provider: MeterProvider;
  readonly saveDuration: Histogram;
  readonly loadDuration: Histogram;
}

/** The API's no-op meter class: what every provider's meter is until the application registers an SDK. */
const NoopMeter = otel?.createNoopMeter().constructor;
let noopProvider: MeterProvider | undefined;

let current: Instruments | undefined;
const lagSources = new Set<LagSource>();

/**
 * The store's metric instruments on the global MeterProvider. The metrics API has no proxy provider (unlike
 * tracing), so instruments made before the application registers its SDK would stay no-ops forever: they
 * are remade whenever the global provider changes (an identity check per use).
 */
export function instruments(): Instruments | undefined {
  if (!otel) return undefined;
  const provider = otel.metrics.getMeterProvider();
  if (current?.provider === provider) return current;
  if (provider === noopProvider) return undefined;
  const meter = provider.getMeter(SCOPE);
  if (meter.constructor === NoopMeter) {
    // No SDK: callers skip timing altogether.
    noopProvider = provider;
    return undefined;
  }
  const seconds = { unit: 's', advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] } };
  current = {
    provider,
    saveDuration: meter.createHistogram('event_store.save.duration', { description: 'Duration of AggregateRepository.save, publish included', ...seconds }),
    loadDuration: meter.createHistogram('event_store.load.duration', { description: 'Duration of an aggregate load (load, find)', ...seconds }),
  };
  observeLag(meter);
  return current;
}

function observeLag(meter: Meter): void {
  const lag = meter.createObservableGauge('event_store.projection.lag', { description: 'Feed head minus the projection checkpoint', unit: '{position}' });
  const age = meter.createObservableGauge('event_store.projection.lag.age', { description: 'Age of the oldest changeset the projection has not applied', unit: 's' });
  meter.addBatchObservableCallback(async (result) => {
    for (const source of lagSources) await report(source, result, lag, age);
  }, [lag, age]);
}

async function report(source: LagSource, result: BatchObservableResult, lag: ObservableGauge, age: ObservableGauge): Promise<void> {
  let lags: readonly ProjectionLag[];
  try {
    lags = await source();
  } catch {
    return; // storage unreachable: no data point rather than a wrong one (the health check reports it)
  }
  for (const projection of lags) {
    const attributes = { 'event_store.projection': projection.name };
    result.observe(lag, projection.lagPositions, attributes);
    result.observe(age, projection.lagSeconds, attributes);
  }
}

/** Reports `source`'s projections on the lag gauges until the returned function is called. */
export function observeProjectionLag(source: LagSource): () => void {
  lagSources.add(source);
  instruments();
  return () => lagSources.delete(source);
}
