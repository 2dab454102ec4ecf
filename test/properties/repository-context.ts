import { randomUUID } from 'node:crypto';
import { CqrsModule } from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStore, EventStoreModule, type EventStoreModuleOptions, getRepositoryToken } from '../../lib/index.js';
import { Box, PublishedBoxes } from './box.js';

export interface RepositoryPropertyContext {
  readonly module: TestingModule;
  readonly boxes: AggregateRepository<Box>;
  readonly store: EventStore;
}

/** Every changeset in the store: the sum of the stream heads' seqs (seqs are dense). Reads the table itself. */
export async function countChangesets(store: EventStore): Promise<number> {
  let total = 0;
  for await (const heads of store.storage.scanStreamHeads()) for (const head of heads) total += head.seq;
  return total;
}

export async function startRepositoryContext(options: EventStoreModuleOptions): Promise<RepositoryPropertyContext> {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), EventStoreModule.forRoot(options), EventStoreModule.forFeature([Box])],
    providers: [PublishedBoxes],
  }).compile();
  await module.init();
  return { module, boxes: module.get<AggregateRepository<Box>>(getRepositoryToken(Box)), store: module.get(EventStore) };
}

/** Saves one box with `payload` under `id` (loading it first if a run already made it), and returns it. */
export async function putInto(ctx: RepositoryPropertyContext, id: string, ...payloads: unknown[]): Promise<{ before: unknown[]; box: Box }> {
  const box = (await ctx.boxes.find(id)) ?? new Box(id);
  const before = [...box.items];
  for (const payload of payloads) box.put(payload);
  return { before, box };
}

/** Expects `save` to fail with `errorClass`, with nothing written and the events still uncommitted. */
export async function expectRejected(ctx: RepositoryPropertyContext, box: Box, errorClass: new (...args: never[]) => Error): Promise<Error> {
  const before = await countChangesets(ctx.store);
  const pending = box.getUncommittedEvents().length;
  const error = await ctx.boxes.save(box).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect(box.getUncommittedEvents()).toHaveLength(pending);
  expect(await countChangesets(ctx.store)).toBe(before);
  return error as Error;
}

/**
 * One Nest testing module per describe block, and after every test a plain save and load that must still work:
 * whatever a property threw at the store, it did not break it ("no crash").
 */
export function useRepositoryContext(options: () => EventStoreModuleOptions): () => RepositoryPropertyContext {
  let ctx: RepositoryPropertyContext | undefined;
  beforeAll(async () => {
    ctx = await startRepositoryContext(options());
  });
  afterAll(() => ctx?.module.close());
  afterEach(async () => {
    const box = new Box(`after-${randomUUID()}`);
    box.put({ ok: true });
    await ctx!.boxes.save(box);
    expect((await ctx!.boxes.load(box.id)).items).toEqual([{ ok: true }]);
  });
  return () => {
    if (!ctx) throw new Error('the repository context is not started');
    return ctx;
  };
}
