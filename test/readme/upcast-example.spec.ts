import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Aggregate, type AggregateRepository, EventStore, EventStoreModule, getRepositoryToken } from '../../lib/index.js';
import { docPage, readmeSnippet } from './readme-source.js';
import { UserNamed } from './upcast-example.js';

@Aggregate({ type: 'Member', events: [UserNamed] })
class Member extends AggregateRoot {
  firstName = '';
  lastName = '';
  constructor(readonly id: string) {
    super();
  }
  name(firstName: string, lastName: string): void {
    this.apply(new UserNamed(this.id, firstName, lastName));
  }
  onUserNamed(event: UserNamed): void {
    this.firstName = event.firstName;
    this.lastName = event.lastName;
  }
}

describe('README upcast example', () => {
  it('is the code in the README, verbatim', () => {
    expect(docPage('events')).toContain(readmeSnippet('test/readme/upcast-example.ts'));
  });

  it('loads events stored in the v1 shape as v2 instances, next to events stored as v2', async () => {
    @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true, feed: { enabled: false } }), EventStoreModule.forFeature([Member])] })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    try {
      const id = randomUUID();
      // What version 1 of the app wrote.
      await app.get(EventStore).append({
        stream: { aggregateType: 'Member', aggregateId: id },
        expectedVersion: 'no-stream',
        events: [{ eventId: randomUUID(), type: 'user.named', data: { userId: id, name: 'Ada King Lovelace' }, occurredAt: new Date().toISOString() }],
      });
      const members = app.get<AggregateRepository<Member>>(getRepositoryToken(Member));
      const member = await members.load(id);
      expect(member).toMatchObject({ firstName: 'Ada', lastName: 'King Lovelace' });

      const events = [];
      for await (const item of members.readStream(id)) events.push(item.event);
      expect(events[0]).toBeInstanceOf(UserNamed);
      expect(events[0]).toEqual({ userId: id, firstName: 'Ada', lastName: 'King Lovelace' });

      // Version 2 writes the new shape, which the upcaster leaves alone.
      member.name('Augusta', 'Ada');
      await members.save(member);
      expect(await members.load(id)).toMatchObject({ firstName: 'Augusta', lastName: 'Ada' });
    } finally {
      await app.close();
    }
  });
});
