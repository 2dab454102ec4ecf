import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AggregateRepository, EventStore } from '../../lib/index.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import { EventRegistry, EventSerializer } from '../../lib/store/index.js';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { Counter, Incremented } from '../bench-domain.js';
import { seedCounterHistory } from './seed.js';

/**
 * The peer bench's full replay alone, to profile it: `node --cpu-prof --cpu-prof-dir=<dir> dist/bench/peer/load-profile.js`.
 * Seeds one Counter of `PROFILE_CHANGESETS` (default 1,000) one-event changesets, warms up, then loads it
 * `PROFILE_LOADS` times (default 200) and writes the measured window (µs on the profile's clock) and this
 * process's CPU per load to `PROFILE_WINDOW_FILE` (default `load-profile-window.json`), for
 * `summarizeProfile` (bench/http/profile-summary.ts). `PROFILE_DEPENDENCIES=1`: each changeset depends on another
 * aggregate, as a clap on its user.
 */
async function main(): Promise<void> {
  const changesets = Number(process.env['PROFILE_CHANGESETS'] ?? 1000);
  const loads = Number(process.env['PROFILE_LOADS'] ?? 200);
  const services = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ? undefined : await startLocalServices();
  const endpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? services!.dynamodbEndpoint;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: `profile-${Date.now()}-` });
  try {
    await storage.createTables();
    const store = new EventStore(storage, { aggregateRecords: false });
    const serializer = new EventSerializer(new EventRegistry().register(Incremented));
    const counters = new AggregateRepository(Counter, 'Counter', store, serializer, { publishAll: () => undefined });
    const id = await seedCounterHistory(client, storage, serializer, changesets, process.env['PROFILE_DEPENDENCIES'] === '1');
    const load = async () => {
      if ((await counters.load(id)).value !== changesets) throw new Error('the load did not replay every changeset');
    };
    for (let i = 0; i < 20; i++) await load();
    const from = process.hrtime.bigint() / 1000n;
    const cpu = process.cpuUsage();
    for (let i = 0; i < loads; i++) await load();
    const used = process.cpuUsage(cpu);
    const to = process.hrtime.bigint() / 1000n;
    const window = { from: Number(from), to: Number(to), cpuMsPerLoad: (used.user + used.system) / 1000 / loads, msPerLoad: Number(to - from) / 1000 / loads };
    writeFileSync(process.env['PROFILE_WINDOW_FILE'] ?? 'load-profile-window.json', JSON.stringify(window));
    console.log(JSON.stringify(window));
  } finally {
    client.destroy();
    await services?.stop();
  }
}

await main();
