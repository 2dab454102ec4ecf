import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { ProjectionParkedError } from '../../lib/errors/projection-parked.error.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { RebuildContext } from '../../lib/projections/rebuild-context.js';
import { MAX_PARKED_KEPT } from '../../lib/projections/projection.port.js';
import { MoneyDeposited } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { createViewTable, type Node, openWithDeposits, readView, startNode, until } from './harness.js';

/** Fails every deposit; parks and moves on, as `onPoison: 'continue'` does. */
@Projection('always-poisoned', { maxAttempts: 1, onPoison: 'continue' })
class AlwaysPoisoned {
  @HandlesEvent(MoneyDeposited)
  deposited(): void {
    throw new Error(`a long handler error: ${'x'.repeat(5000)}`);
  }
}

/** Drives one node by hand until `done`, retrying steps that fail (as the loop would, minus its pauses). */
async function driveUntil(n: Node, done: () => Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !(await done()); i++) await n.manager.drive().catch(() => undefined);
  expect(await done()).toBe(true);
}

describe('projections under faults (DynamoDB Local)', () => {
  const client = localDynamoDb();
  let storage: DynamoDbChangesetStorage;
  let viewTable: string;
  let injected: string | undefined;

  beforeEach(async () => {
    const prefix = uniquePrefix('pfault');
    storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
    await storage.createTables();
    viewTable = `${prefix}views`;
    await createViewTable(client, viewTable);
  });
  afterEach(() => {
    if (injected) client.middlewareStack.remove(injected);
    injected = undefined;
  });
  afterAll(() => client.destroy());

  /** The next `count` transactions that write the view table are cancelled with `code` on the view write. */
  function cancelViewWrites(code: string, count: number): { readonly done: () => number } {
    let done = 0;
    injected = `cancel-${randomUUID()}`;
    client.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: { TransactItems?: Array<Record<string, { TableName?: string }>> } }) => {
        const items = args.input.TransactItems ?? [];
        const touchesView = items.some((item) => Object.values(item).some((w) => w?.TableName === viewTable));
        if (context.commandName === 'TransactWriteItemsCommand' && touchesView && done < count) {
          done++;
          throw new TransactionCanceledException({
            message: `injected: transaction cancelled [${items.map((_, i) => (i === 0 ? 'None' : code)).join(', ')}]`,
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: items.map((_, i) => ({ Code: i === 0 ? 'None' : code })),
          });
        }
        return next(args);
      }) as never,
      { step: 'initialize', name: injected },
    );
    return { done: () => done };
  }


  const caughtUp = (n: Node) => async () => {
    const status = await n.manager.status('balances');
    return status.head > 0 && status.position === status.head;
  };

  it.each(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict'])(
    'a read-model write cancelled for %s is retried until it lands, never parked',
    async (code) => {
      const a = startNode(client, storage, viewTable);
      const { id } = await openWithDeposits(a, [4, 5]);
      const faults = cancelViewWrites(code, 8); // more than maxAttempts (3)
      await driveUntil(a, caughtUp(a));
      expect(faults.done()).toBe(8);
      expect(await readView(client, viewTable, id)).toMatchObject({ balance: 9, applied: 3, order: [1, 2, 3] });
      expect((await a.manager.status('balances')).parked).toEqual([]);
    },
  );

  it("a handler whose own DynamoDB read is throttled is retried, not parked", async () => {
    const a = startNode(client, storage, viewTable);
    const { id } = await openWithDeposits(a, [3]);
    let throttles = 5;
    a.projection.failFor.add(id);
    a.projection.failWith = () => {
      if (--throttles === 0) a.projection.failFor.clear();
      return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $retryable: { throttling: true } });
    };
    await driveUntil(a, caughtUp(a));
    expect(await readView(client, viewTable, id)).toMatchObject({ balance: 3, applied: 2 });
    expect((await a.manager.status('balances')).parked).toEqual([]);
  });

  it('a rebuild paused mid-clear cannot wipe what the node that took over has applied since', async () => {
    const a = startNode(client, storage, viewTable, 300);
    const b = startNode(client, storage, viewTable, 300);
    const clearAll = (ctx: RebuildContext) => ctx.clearTable(viewTable);
    const accounts = [await openWithDeposits(a, [1, 2]), await openWithDeposits(a, [3])];
    await driveUntil(a, caughtUp(a));
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    Object.assign(a.projection, { onRebuild: async (ctx: RebuildContext) => (await paused, clearAll(ctx)) });
    Object.assign(b.projection, { onRebuild: clearAll });
    const rebuildOnA = a.manager.rebuild('balances'); // resets to 0, then pauses inside onRebuild
    // A's lease runs out (nothing renews it while A is paused); B takes over, clears, and replays.
    await until(async () => (await a.manager.status('balances')).owner === undefined, 5000);
    accounts.push(await openWithDeposits(b, [7]));
    await driveUntil(b, caughtUp(b));
    resume(); // A wakes up and goes on clearing
    expect(await rebuildOnA).toBe(false);
    for (const { id } of accounts) expect((await readView(client, viewTable, id))?.applied).toBeGreaterThan(1);
    expect(await readView(client, viewTable, accounts[0]!.id)).toMatchObject({ balance: 3, applied: 3, order: [1, 2, 3] });
    expect(await readView(client, viewTable, accounts[2]!.id)).toMatchObject({ balance: 7, applied: 2 });
    expect(await b.manager.status('balances')).toMatchObject({ lagPositions: 0, parked: [] });
  });

  it("a 'continue' projection parks without bound yet its checkpoint item stays small", async () => {
    const a = startNode(client, storage, viewTable);
    a.manager.register(new AlwaysPoisoned());
    const total = MAX_PARKED_KEPT + 5;
    await openWithDeposits(a, Array.from({ length: total }, (_, i) => i + 1));
    await driveUntil(a, async () => {
      const status = await a.manager.status('always-poisoned');
      return status.head > 0 && status.position === status.head;
    }, 2000);
    const status = await a.manager.status('always-poisoned');
    expect(status.parked).toHaveLength(MAX_PARKED_KEPT);
    expect(status.parked.at(-1)!.position).toBe(total + 1);
    expect(status.parked.every((p) => p.error.length <= 1001)).toBe(true);
    expect(status.parkedTotal).toBe(total);
  });

  it('waitFor fails at once on a parked commit, and on a projection stopped before it', async () => {
    const a = startNode(client, storage, viewTable);
    a.manager.register(new AlwaysPoisoned());
    const { id, token } = await openWithDeposits(a, [1]);
    a.projection.failFor.add(id);
    await driveUntil(a, async () => (await a.manager.status('balances')).stoppedAt !== undefined && (await a.manager.status('always-poisoned')).parked.length === 1);
    const started = Date.now();
    await expect(a.manager.waitFor('always-poisoned', token, 10_000)).rejects.toMatchObject({ code: 'PROJECTION_PARKED', reason: 'parked', position: 2 });
    await expect(a.manager.waitFor('balances', token, 10_000)).rejects.toBeInstanceOf(ProjectionParkedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
