import { Injectable } from '@nestjs/common';
import { HandlesEvent, Projection, type ProjectionContext, ProjectionManager } from '../../lib/index.js';
import { UserCreated } from './quickstart.js';

@Projection('user-names') // runs on one node at a time; resumes from its checkpoint
export class UserNames {
  @HandlesEvent(UserCreated)
  created(event: UserCreated, ctx: ProjectionContext): void {
    // Commits in one transaction with the checkpoint: applied exactly once.
    ctx.write({ Put: { TableName: 'app-user-names', Item: { id: { S: event.userId }, name: { S: event.name } } } });
  }
}

@Injectable()
export class UserQueries {
  constructor(private readonly projections: ProjectionManager) {}

  /** Read your writes: wait until the view includes the commit (`CommitResult.token`). */
  async afterCommit(token: string): Promise<void> {
    await this.projections.waitFor('user-names', token, 5_000);
  }
}
// imports: [..., EventStoreModule.forProjections([UserNames])], providers: [UserQueries]
