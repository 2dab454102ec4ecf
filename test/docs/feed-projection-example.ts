// Shown in docs/feed.md ("Projections"); compiled by the tests.
import { HandlesEvent, Projection, type ProjectionContext } from '../../lib/index.js';
import { UserCreated } from '../readme/quickstart.js';

@Projection('user-views', { batchSize: 100, maxAttempts: 5, onPoison: 'stop' })
export class UserViews {
  @HandlesEvent(UserCreated)
  created(event: UserCreated, ctx: ProjectionContext) {
    ctx.write({ Put: { TableName: 'views', Item: { id: { S: event.userId }, name: { S: event.name } } } });
  }
}
// imports: [EventStoreModule.forProjections([UserViews], { imports: [ModulesTheProjectionInjectsFrom] })]
