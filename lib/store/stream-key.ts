import { InvalidAggregateIdError } from '../errors/invalid-aggregate-id.error.js';
import { aggregateIdProblem, aggregateTypeProblem } from './key-text.js';
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

/**
 * Throws `InvalidAggregateIdError` unless the type and id follow the key rule (see `key-text.ts`): non-empty,
 * within the key limits, well-formed Unicode, no control characters; types also without `#`.
 */
export function assertValidStream(aggregateType: string, aggregateId: unknown): asserts aggregateId is string {
  const problem = aggregateTypeProblem(aggregateType) ?? aggregateIdProblem(aggregateId);
  if (problem !== undefined) throw new InvalidAggregateIdError(String(aggregateType), aggregateId, problem);
}
