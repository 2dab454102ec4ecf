import { randomUUID } from 'node:crypto';
import type { ChangeSource, FeedStorage } from '../../lib/feed/feed.port.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import type { BlobInfo, BlobStore } from '../../lib/store/blob-store.port.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { StoredEvent, StreamKey } from '../../lib/store/records.js';
import type { ChangesetStorage } from '../../lib/store/storage.port.js';
import { bigEvents } from '../contract/large-changesets.contract.js';

export interface LargeFeedFixture {
  readonly storage: ChangesetStorage;
  readonly blobs: BlobStore;
  readonly keyPrefix: string;
  readonly feed: FeedStorage;
  readonly source: ChangeSource;
  close(): Promise<void>;
}

/** Counts object reads: the sequencer needs versions and dependencies only, never the events. */
export class CountingBlobs implements BlobStore {
  gets = 0;
  constructor(private readonly inner: BlobStore) {}
  get location(): string {
    return this.inner.location;
  }
  put(key: string, body: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<void> {
    return this.inner.put(key, body, metadata);
  }
  get(key: string): Promise<Uint8Array | undefined> {
    this.gets++;
    return this.inner.get(key);
  }
  head(key: string) {
    return this.inner.head(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(prefix: string): AsyncIterable<BlobInfo[]> {
    return this.inner.list(prefix);
  }
}

function small(type: string): StoredEvent {
  return { eventId: randomUUID(), type, data: { type }, occurredAt: new Date().toISOString() };
}

/** The feed over changesets stored before S3 offload (inline items) and after it (pointers), side by side. */
export function describeLargeFeedContract(name: string, factory: () => Promise<LargeFeedFixture>): void {
  describe(`feed with large changesets: ${name}`, () => {
    it('sequences old inline and new pointer changesets in causal order without reading objects; the reader resolves them', async () => {
      const f = await factory();
      try {
        const blobs = new CountingBlobs(f.blobs);
        // Written as before this change: no object storage, every changeset inline in its item.
        const before = new EventStore(f.storage, { aggregateRecords: false });
        const after = new EventStore(f.storage, { aggregateRecords: false, blobs, largeChangesets: { keyPrefix: f.keyPrefix, thresholdBytes: 50_000 } });
        const user: StreamKey = { aggregateType: 'User', aggregateId: randomUUID() };
        const doc: StreamKey = { aggregateType: 'Doc', aggregateId: randomUUID() };
        const written: Array<{ stream: StreamKey; events: StoredEvent[] }> = [];
        const save = async (store: EventStore, stream: StreamKey, version: number, events: StoredEvent[], dependsOn?: StreamKey & { version: number }) => {
          await store.append({ stream, expectedVersion: version, events, ...(dependsOn ? { dependencies: [dependsOn] } : {}) });
          written.push({ stream, events });
        };
        await save(before, user, 0, [small('UserCreated')]);
        await save(before, doc, 0, [small('DocCreated')], { ...user, version: 1 });
        await save(after, doc, 1, bigEvents(1024 * 1024, 3), { ...user, version: 1 });
        await save(after, user, 1, [small('UserRenamed')]);
        await save(after, doc, 4, bigEvents(200_000, 1), { ...user, version: 2 });
        await save(after, doc, 5, [small('DocTagged')]);
        const sequencer = new Sequencer(f.storage, f.feed, f.source, { owner: 'node-1' });
        const reader = new FeedReader(f.feed, f.storage, after.payloads);
        for (let i = 0; i < 100 && (await reader.head()) < written.length; i++) await sequencer.step();
        await sequencer.stop();
        expect(blobs.gets).toBe(0);
        // The feed holds pointers where it inlines a large changeset, never the events.
        const entries = (await f.feed.readFeed(1, 100)).flatMap((b) => b.entries);
        const inlined = entries.filter((e) => e.changeset?.payload);
        expect(inlined.length).toBeGreaterThan(0);
        for (const entry of inlined) expect(entry.changeset!.events).toEqual([]);
        const items = await reader.read(1, 100);
        expect(items.map((i) => i.position)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(blobs.gets).toBe(2);
        const byStream = (s: StreamKey) => items.filter((i) => i.changeset.aggregateId === s.aggregateId).map((i) => i.changeset);
        const expected = (s: StreamKey) => written.filter((w) => w.stream === s).map((w) => w.events);
        expect(byStream(doc).map((c) => c.events)).toEqual(expected(doc));
        expect(byStream(user).map((c) => c.events)).toEqual(expected(user));
        for (const item of items) expect(item.changeset.payload).toBeUndefined();
        // Causal: each Doc changeset after the User version it depends on.
        const position = (s: StreamKey, seq: number) => items.find((i) => i.changeset.aggregateId === s.aggregateId && i.changeset.seq === seq)!.position;
        expect(position(user, 1)).toBeLessThan(position(doc, 1));
        expect(position(user, 2)).toBeLessThan(position(doc, 3));
      } finally {
        await f.close();
      }
    }, 60_000);
  });
}
