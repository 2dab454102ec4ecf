import { WriteSet } from '../../lib/projections/write-set.js';
import type { ProjectionStore, ReadModelWrite } from '../../lib/projections/projection.port.js';

/** The two limits a DynamoDB transaction sets, as the DynamoDB projection store declares them. */
const limits = { maxWritesPerCommit: 99, maxBytesPerCommit: 3_500_000, writeKey: async (w: ReadModelWrite) => JSON.stringify((w.Put as { Item: { id: unknown } }).Item.id) };
const store = limits as unknown as ProjectionStore;

const bigPut = (id: number): ReadModelWrite => ({ Put: { TableName: 'views', Item: { id: { S: String(id) }, body: { S: 'x'.repeat(350_000) } } } });

describe('WriteSet', () => {
  it('splits a batch before its writes pass the 4 MB a transaction can carry, not only at 99 writes', async () => {
    const set = new WriteSet(store);
    const accepted: boolean[] = [];
    for (let i = 0; i < 12; i++) accepted.push(await set.tryAdd([bigPut(i)], []));
    const taken = accepted.indexOf(false);
    expect(taken).toBe(Math.floor(limits.maxBytesPerCommit / Buffer.byteLength(JSON.stringify(bigPut(0)))));
    expect(accepted.slice(taken).every((a) => !a)).toBe(true);
    const bytes = set.writes().reduce((sum, w) => sum + Buffer.byteLength(JSON.stringify(w)), 0);
    expect(bytes).toBeLessThanOrEqual(limits.maxBytesPerCommit);
  });

  it('still takes one oversized changeset alone (it fails on its own, and is retried and parked)', async () => {
    const set = new WriteSet(store);
    const many = Array.from({ length: 11 }, (_, i) => bigPut(i));
    expect(await set.tryAdd(many, [])).toBe(true);
    expect(await set.tryAdd([bigPut(99)], [])).toBe(false);
  });
});
