import FakeTimers from '@sinonjs/fake-timers';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import type { Lease } from '../../lib/feed/feed.port.js';
import { Sequencer } from '../../lib/feed/sequencer.js';

class CountingFeed extends InMemoryFeedStorage {
  acquires = 0;

  override acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    this.acquires++;
    return super.acquireLease(name, owner, ttlMs, now);
  }
}

describe('Sequencer.nudge', () => {
  // Every local commit nudges the node's sequencer. On a node that does not lead, a woken step only tries to
  // take the lease: one conditional write on the feed's control item per commit, from every such node, on the
  // item the leader's batch commits write too. The capacity model (npm run scale) saw it throttle that item.
  it("sends no lease request per local commit on a node that does not lead the feed", async () => {
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      const storage = new InMemoryChangesetStorage();
      const feed = new CountingFeed();
      expect(await feed.acquireLease('sequencer', 'leader', 60_000, Date.now())).toBeDefined();
      const follower = new Sequencer(storage, feed, storage.changes, { owner: 'follower', leaseTtlMs: 60_000 });
      follower.start();
      await clock.tickAsync(1);
      const before = feed.acquires;
      for (let i = 0; i < 50; i++) {
        follower.nudge();
        await clock.tickAsync(1);
      }
      expect(follower.isLeader).toBe(false);
      expect(feed.acquires - before).toBeLessThanOrEqual(1);
      const halted = follower.halt();
      await clock.tickAsync(1000);
      await halted;
    } finally {
      clock.uninstall();
    }
  });
});
