import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';

/**
 * The keys each options object accepts. A key outside its list fails start-up (a typo such as `createTable`
 * would otherwise be ignored in silence): adding an option means adding its key here.
 */
export const OPTION_KEYS = {
  '(root)': ['dynamodb', 's3', 'inMemory', 'events', 'aggregateRecordFlushMs', 'feed', 'aggregateCache'],
  dynamodb: ['client', 'clientConfig', 'tablePrefix', 'createTables', 'streamsClient', 'embedded'],
  'dynamodb.embedded': ['dataDir', 'port', 'jvmOptions', 'startTimeoutMs', 'allowInProduction'],
  s3: ['client', 'clientConfig', 'bucket', 'createBucket', 'largeChangesetBytes', 'compression', 'keyPrefix', 'orphanGraceMs', 'uploadDeadlineMs'],
  feed: ['enabled', 'nodeId', 'leaseTtlMs', 'idleMs', 'maxIdleMs', 'recentBatchesMaxBytes', 'shards'],
  aggregateCache: ['maxAggregates'],
} as const satisfies Record<string, readonly string[]>;

export type OptionsObject = keyof typeof OPTION_KEYS;

/** Throws `InvalidEventStoreOptionsError` for the first key of `value` that `OPTION_KEYS[path]` does not list. */
export function assertKnownKeys(path: OptionsObject, value: Record<string, unknown>): void {
  const known: readonly string[] = OPTION_KEYS[path];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const option = path === '(root)' ? key : `${path}.${key}`;
    const close = closestKey(key, known);
    const hint = close ? `did you mean "${close}"?` : `known options here: ${known.join(', ')}`;
    throw new InvalidEventStoreOptionsError(option, `is not an option; ${hint}`);
  }
}

/** The known key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
