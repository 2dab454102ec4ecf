/**
 * What a writer expects the aggregate's version to be:
 * - a number: exactly that version (0 means "does not exist yet");
 * - `'no-stream'`: the aggregate must not exist;
 * - `'stream-exists'`: the aggregate must exist, any version;
 * - `'any'`: append at the end, whatever the version.
 */
export type ExpectedVersion = number | 'no-stream' | 'stream-exists' | 'any';

export function isExpectedVersion(value: unknown): value is ExpectedVersion {
  return (
    value === 'no-stream' ||
    value === 'stream-exists' ||
    value === 'any' ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  );
}
