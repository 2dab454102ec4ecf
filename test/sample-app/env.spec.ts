import { jvmOptionsFromEnv, settingsFromEnv } from '../../sample-app/env.js';

describe('sample app: settings from the environment', () => {
  it('uses the defaults when nothing is set, leaving the feed options to the library', () => {
    expect(settingsFromEnv({})).toEqual({ port: 3000, tablePrefix: 'sample-', bucket: 'sample-app-events', feed: {}, readTimeoutMs: undefined, databaseUrl: undefined });
  });

  it('reads the lease, node id, read timeout and database that several processes on one DynamoDB need', () => {
    const settings = settingsFromEnv({
      PORT: '8080',
      EVENT_STORE_TABLE_PREFIX: 'p-',
      EVENT_STORE_BUCKET: 'b-1',
      EVENT_STORE_LEASE_TTL_MS: '2000',
      EVENT_STORE_NODE_ID: 'node-1',
      FEED_SHARDS: '4',
      READ_TIMEOUT_MS: '250',
      DATABASE_URL: 'postgres://u:p@db:5432/sample',
    });
    expect(settings).toEqual({
      port: 8080,
      tablePrefix: 'p-',
      bucket: 'b-1',
      feed: { leaseTtlMs: 2000, nodeId: 'node-1', shards: 4 },
      readTimeoutMs: 250,
      databaseUrl: 'postgres://u:p@db:5432/sample',
    });
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['EVENT_STORE_LEASE_TTL_MS', '0'],
    ['EVENT_STORE_LEASE_TTL_MS', '2.5'],
    ['FEED_SHARDS', '0'],
    ['FEED_SHARDS', '257'],
    ['READ_TIMEOUT_MS', '-1'],
    ['READ_TIMEOUT_MS', 'soon'],
  ])('refuses %s=%s at start-up, naming the variable', (name, value) => {
    expect(() => settingsFromEnv({ [name]: value })).toThrow(name);
  });

  it('mounts the explorer on EXPLORER=1, leaves it out on 0, and leaves the choice to main.ts when unset', () => {
    expect(settingsFromEnv({ EXPLORER: '1' }).explorer).toBe(true);
    expect(settingsFromEnv({ EXPLORER: '0' }).explorer).toBe(false);
    expect(settingsFromEnv({}).explorer).toBeUndefined();
    expect(() => settingsFromEnv({ EXPLORER: 'yes' })).toThrow('EXPLORER must be 1 or 0, got "yes"');
  });

  it('takes the embedded DynamoDB Local\'s JVM flags, space-separated; unset keeps the defaults, empty means none', () => {
    expect(jvmOptionsFromEnv({ DYNAMODB_LOCAL_JVM_OPTIONS: ' -XX:+UseParallelGC  -Xmx512m ' })).toEqual(['-XX:+UseParallelGC', '-Xmx512m']);
    expect(jvmOptionsFromEnv({})).toBeUndefined();
    expect(jvmOptionsFromEnv({ DYNAMODB_LOCAL_JVM_OPTIONS: '' })).toEqual([]);
  });
});
