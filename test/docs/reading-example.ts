// Shown in docs/events.md ("Reading streams and the feed"); compiled by the tests.
import type { INestApplicationContext } from '@nestjs/common';
import { type AggregateRepository, ProjectionManager } from '../../lib/index.js';
import type { User } from '../readme/quickstart.js';

export async function printHistory(users: AggregateRepository<User>, id: string): Promise<void> {
  for await (const { event, version, occurredAt, metadata } of users.readStream(id)) console.log(version, occurredAt, metadata, event);
}

export async function exportFeed(app: INestApplicationContext): Promise<void> {
  const reader = app.get(ProjectionManager).reader;
  for (let from = 1, items = await reader.read(from); items.length > 0; items = await reader.read(from)) {
    for (const { position, changeset } of items) console.log(position, changeset.aggregateType, changeset.aggregateId, changeset.events);
    from = items.at(-1)!.position + 1;
  }
}
