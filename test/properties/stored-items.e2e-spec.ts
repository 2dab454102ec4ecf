import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { MalformedItemError } from '../../lib/index.js';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { Box } from './box.js';
import { countChangesets, type RepositoryPropertyContext, startRepositoryContext } from './repository-context.js';
import { PROPERTY_TIMEOUT_MS, runs } from './settings.js';
import { brokenContinuity, type Item, layouts, mutationOf, wellFormedItem } from './stored-items.js';

/** Items this library did not write (edited by hand, another tool) must give a typed error on load, never garbage. */
describe('malformed stored changesets on DynamoDB Local (raw PutItem)', () => {
  const client = localDynamoDb();
  const prefix = uniquePrefix('items');
  let ctx: RepositoryPropertyContext;
  const putRaw = (item: Item) => client.send(new PutItemCommand({ TableName: tableNames(prefix).changesets, Item: item }));

  beforeAll(async () => {
    ctx = await startRepositoryContext({ dynamodb: { client, tablePrefix: prefix, createTables: true }, feed: { enabled: false } });
  });
  afterAll(async () => {
    await ctx?.module.close();
    client.destroy();
  });
  afterEach(async () => {
    const box = new Box(`after-${randomUUID()}`);
    box.put('fine');
    await ctx.boxes.save(box);
    expect((await ctx.boxes.load(box.id)).items).toEqual(['fine']);
  });

  /** Load, find and a save on top all fail typed; the save writes nothing. */
  async function expectMalformed(id: string): Promise<void> {
    await expect(ctx.boxes.load(id)).rejects.toBeInstanceOf(MalformedItemError);
    await expect(ctx.boxes.find(id)).rejects.toBeInstanceOf(MalformedItemError);
    const before = await countChangesets(ctx.store);
    const box = new Box(id);
    box.put('on top');
    await expect(ctx.boxes.save(box)).rejects.toBeInstanceOf(MalformedItemError);
    await expect(ctx.boxes.save(box, { expectedVersion: 'any' })).rejects.toBeInstanceOf(MalformedItemError);
    expect(await countChangesets(ctx.store)).toBe(before);
  }

  it('a malformed item (missing attribute, wrong type, bad JSON, versions not matching events) gives MalformedItemError', async () => {
    await fc.assert(
      fc.asyncProperty(layouts.chain((layout) => fc.tuple(fc.constant(layout), mutationOf(layout))), fc.integer({ min: 1, max: 3 }), fc.boolean(), async ([layout, change], count, afterGoodOne) => {
        const id = `malformed-${randomUUID()}`;
        if (afterGoodOne) await putRaw(wellFormedItem(id, 1, 1, 1, layout));
        const seq = afterGoodOne ? 2 : 1;
        await putRaw(change.apply(wellFormedItem(id, seq, seq, count, layout)));
        await expectMalformed(id);
      }),
      runs(80),
    );
  }, PROPERTY_TIMEOUT_MS);

  it('well-formed items whose versions are not 1..N across changesets give MalformedItemError', async () => {
    await fc.assert(
      fc.asyncProperty(brokenContinuity, layouts, async ({ versions }, layout) => {
        const id = `gap-${randomUUID()}`;
        for (const [index, range] of versions.entries()) {
          if (range) await putRaw(wellFormedItem(id, index + 1, range[0]!, range[1]! - range[0]! + 1, layout));
        }
        await expect(ctx.boxes.load(id)).rejects.toBeInstanceOf(MalformedItemError);
      }),
      runs(20),
    );
  }, PROPERTY_TIMEOUT_MS);
});
