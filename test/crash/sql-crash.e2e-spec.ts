import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { feedEntries } from '../../lib/feed/feed-reader.js';
import type { FeedEntry } from '../../lib/feed/index.js';
import { checkpointTableDdl } from '../../lib/projections/sql/checkpoint-sql.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { readChangesets } from '../multi-process/tables.js';
import { createSqlDatabase, type SqlEngine } from '../projections/sql-harness.js';
import { checkSqlApplications } from '../soak/check-sql.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { feedProblems, versionProblems } from './history.js';
import { Random, seedFromEnv } from './random.js';
import { CHECKPOINT_TABLE, COUNTER_PROJECTION, counterTablesDdl, readCounter } from './sql-counter.js';
import { describePlan, type KillPlan, type KillTarget } from './sql-kill.js';
import { SqlCrashNode } from './sql-crash-node.js';

/** Kills per engine: `SQL_CRASH_ROUNDS` for more; the default keeps both engines near 30 s each. */
const ROUNDS = Number(process.env['SQL_CRASH_ROUNDS'] || 4);
if (!Number.isInteger(ROUNDS) || ROUNDS < 3) throw new Error(`SQL_CRASH_ROUNDS must be an integer of at least 3, got "${process.env['SQL_CRASH_ROUNDS']}"`);
/** Most changesets saved while one node runs; its kill comes long before on any machine. */
const MAX_PER_ROUND = 300;
const LEASE_TTL_MS = 1000;
/**
 * How many matching statements a kill may let through first. The node applies what it finds in a batch (one
 * transaction, a checkpoint move and a COMMIT), so the farthest points are a few batches in.
 */
const MAX_SKIP: Record<KillTarget, number> = { handler: 30, checkpoint: 5, commit: 5, any: 60 };

const dialectOf = (engine: SqlEngine) => (engine === 'postgres' ? 'postgres' : 'mysql');

async function readFeed(feed: DynamoDbFeedStorage): Promise<{ entries: FeedEntry[]; head: number }> {
  const { head } = await feed.readSequencerState();
  const entries: FeedEntry[] = [];
  for await (const page of feedEntries(feed, 1, head)) entries.push(...page);
  return { entries, head };
}

/**
 * A node (the sequencer and a SQL counter projection, a child process) is killed with SIGKILL at a chosen SQL
 * statement of the projection's work: a handler's statement (between two of them), the checkpoint's move in the
 * batch, or the COMMIT; before it is sent, as it is sent, or after the database answered but before the library
 * saw the answer. Then a new node starts (half the time under the same node id, taking the lease back at once;
 * else a new one, after the lease expired) over more changesets, and is killed again. A last node runs until
 * the checkpoint reaches the feed's head. Then every changeset must have `applied_count` 1, at its feed
 * position, in order. The points come from a seeded PRNG: replay with CRASH_SEED=<seed>.
 */
for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`SQL projection killed inside its commit and restarted (${engine})`, () => {
    const seed = seedFromEnv();
    const random = new Random(seed);
    const prefix = uniquePrefix('sqlcrash');
    const client = localDynamoDb();
    const nodes: SqlCrashNode[] = [];
    let dataSource: DataSource | undefined;
    let passed = false;

    afterAll(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      if (!passed) nodes.forEach((node, index) => writeFileSync(join(tmpdir(), `${prefix}${index}.log`), node.log));
      await dataSource?.destroy();
      client.destroy();
    });

    it(`applies each changeset exactly once across ${ROUNDS} kills (seed ${seed})`, async () => {
      const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
      await storage.createTables();
      const login = await createSqlDatabase(engine);
      dataSource = await new DataSource({ ...login, logging: false } as DataSourceOptions).initialize();
      for (const ddl of [...counterTablesDdl(dialectOf(engine)), checkpointTableDdl(dialectOf(engine), CHECKPOINT_TABLE)]) await dataSource.query(ddl);

      const accounts = new AggregateRepository(Account, 'Account', new EventStore(storage, { aggregateRecords: false }), new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited)), {
        publishAll: () => undefined,
      });
      const open: Account[] = [];
      /** Saves changesets one by one, paced, so that the node applies them in many small batches. */
      const saveWhile = async (count: number, going: () => boolean) => {
        for (let i = 0; i < count && going(); i++) {
          await new Promise((resolve) => setTimeout(resolve, random.int(0, 15)));
          const fresh = open.length < 3 || random.next() < 0.3;
          const account = fresh ? new Account(randomUUID()) : random.pick(open);
          if (fresh) account.open(`owner ${open.length}`);
          for (let n = random.int(fresh ? 0 : 1, 2); n > 0; n--) account.deposit(random.int(1, 9));
          await accounts.save(account);
          if (fresh) open.push(account);
        }
      };
      let nodeId = 'node-0';
      const start = (plan?: KillPlan) => {
        const node = SqlCrashNode.start({
          NODE_ID: nodeId,
          LEASE_TTL_MS: String(LEASE_TTL_MS),
          DYNAMODB_ENDPOINT: process.env['TEST_DYNAMODB_ENDPOINT']!,
          TABLE_PREFIX: prefix,
          SQL_LOGIN: JSON.stringify(login),
          ...(plan ? { SQL_CRASH_AT: describePlan(plan) } : {}),
        });
        nodes.push(node);
        return node;
      };

      const targets: KillTarget[] = [
        ...random.shuffle<KillTarget>(['handler', 'checkpoint', 'commit']),
        ...Array.from({ length: ROUNDS - 3 }, () => random.pick<KillTarget>(['handler', 'checkpoint', 'commit', 'any'])),
      ];
      const kills: string[] = [];
      for (const [round, target] of targets.entries()) {
        if (round % 2 === 1) nodeId = `node-${round}`; // a new node waits for the dead one's leases to expire
        const plan: KillPlan = { target, phase: random.pick(['before', 'during', 'after'] as const), skip: random.int(0, MAX_SKIP[target]) };
        const node = start(plan);
        let alive = true;
        const saving = saveWhile(MAX_PER_ROUND, () => alive);
        kills.push(`${nodeId} ${await node.killedWithin(20_000).finally(() => (alive = false))}`);
        await saving;
      }
      const last = start();
      await saveWhile(20, () => true);
      const changesets = await readChangesets(client, prefix);
      const deadline = Date.now() + 30_000;
      let counter = await readCounter(dataSource);
      while (counter.checkpoint !== changesets.length) {
        if (Date.now() > deadline) throw new Error(`the checkpoint is at ${counter.checkpoint} of ${changesets.length} after 30 s:\n${last.log.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50)); // polls the checkpoint row; nothing else is waited for
        counter = await readCounter(dataSource);
      }
      await last.stop();
      counter = await readCounter(dataSource); // the final state, read while nothing commits

      const feed = new DynamoDbFeedStorage(client, storage.tables);
      const { entries, head } = await readFeed(feed);
      const problems = [...versionProblems(changesets), ...(await feedProblems(client, prefix, changesets))];
      const applied = counter.applied.map(({ stream, seq, position, count }) => ({ stream, seq, position, count }));
      checkSqlApplications(COUNTER_PROJECTION, entries, applied, { [COUNTER_PROJECTION]: counter.checkpoint ?? 0 }, [head], problems);
      const versions = new Map<string, number>();
      for (const c of changesets) versions.set(`${c.aggregateType}#${c.aggregateId}`, Math.max(versions.get(`${c.aggregateType}#${c.aggregateId}`) ?? 0, c.toVersion));
      for (const total of counter.totals) {
        const want = versions.get(total.stream);
        if (total.events !== want || total.lastVersion !== want || total.outOfOrder !== 0) problems.push(`${total.stream}: ${JSON.stringify(total)}, ${want} events stored`);
      }
      if (counter.totals.length !== versions.size) problems.push(`${counter.totals.length} streams counted, ${versions.size} stored`);
      console.log(`SQL crash test (${engine}) seed ${seed}: ${kills.length} kills [${kills.join('; ')}]; ${changesets.length} changesets, head ${head}, ${counter.applied.length} rows`);
      expect(problems).toEqual([]);
      expect(counter.applied.length).toBe(changesets.length);
      passed = true;
    }, 60_000);
  });
}
