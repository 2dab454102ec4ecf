import { InvalidAggregateIdError } from '../errors/invalid-aggregate-id.error.js';
import { MAX_AGGREGATE_ID_BYTES, MAX_AGGREGATE_TYPE_BYTES } from './limits.js';
import type { StreamKey } from './records.js';

/** The storage key of a stream: `type#id`. Types cannot contain `#`, so the split is unambiguous. */
export function streamName(stream: StreamKey): string {
  return `${stream.aggregateType}#${stream.aggregateId}`;
}

export function parseStreamName(name: string): StreamKey | undefined {
  const at = name.indexOf('#');
  if (at <= 0) return undefined;
  return { aggregateType: name.slice(0, at), aggregateId: name.slice(at + 1) };
}

/** Throws `InvalidAggregateIdError` unless the id and type are non-empty strings within the key limits. */
export function assertValidStream(aggregateType: string, aggregateId: unknown): asserts aggregateId is string {
  if (typeof aggregateType !== 'string' || aggregateType.length === 0 || aggregateType.includes('#')) {
    throw new InvalidAggregateIdError(String(aggregateType), aggregateId, 'the aggregate type must be a non-empty string without "#"');
  }
  if (Buffer.byteLength(aggregateType, 'utf8') > MAX_AGGREGATE_TYPE_BYTES) {
    throw new InvalidAggregateIdError(aggregateType, aggregateId, `the aggregate type is longer than ${MAX_AGGREGATE_TYPE_BYTES} bytes`);
  }
  if (typeof aggregateId !== 'string') {
    throw new InvalidAggregateIdError(aggregateType, aggregateId, `the id must be a string, got ${typeof aggregateId}`);
  }
  if (aggregateId.length === 0) {
    throw new InvalidAggregateIdError(aggregateType, aggregateId, 'the id is empty');
  }
  const bytes = Buffer.byteLength(aggregateId, 'utf8');
  if (bytes > MAX_AGGREGATE_ID_BYTES) {
    throw new InvalidAggregateIdError(aggregateType, aggregateId, `the id is ${bytes} bytes; the limit is ${MAX_AGGREGATE_ID_BYTES}`);
  }
}
