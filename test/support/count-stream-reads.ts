import type { ChangesetRecord, StreamKey } from '../../lib/store/records.js';
import type { EventStore } from '../../lib/store/event-store.js';

/** What loads read through the store's one read path for them (`readStreamPages`). */
export interface StreamReads {
  /** Reads of a stream (each a strongly consistent query), whether they found changesets or not. */
  reads: number;
  /** Changesets those reads returned. */
  changesets: number;
}

/** Counts, from now on, the stream reads `store` makes for loads and the changesets they return. */
export function countStreamReads(store: EventStore): StreamReads {
  const counter: StreamReads = { reads: 0, changesets: 0 };
  const readStreamPages = store.readStreamPages.bind(store);
  store.readStreamPages = (stream: StreamKey, fromSeq?: number) => {
    counter.reads++;
    const inner = readStreamPages(stream, fromSeq);
    return (async function* (): AsyncIterable<readonly ChangesetRecord[]> {
      for await (const page of inner) {
        counter.changesets += page.length;
        yield page;
      }
    })();
  };
  return counter;
}
