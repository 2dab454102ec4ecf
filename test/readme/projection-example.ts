import { Injectable } from '@nestjs/common';
import { HandlesEvent, Projection, type ProjectionContext, ProjectionManager } from '../../lib/index.js';
import { UserCreated } from './quickstart.js';

// Runs on one node at a time and resumes from its checkpoint. Its table is declared: `createTables` creates
// `<tablePrefix>user-names`, and the CloudFormation template and IAM policy include it.
@Projection('user-names', { tables: [{ name: 'user-names', key: { id: 'S' } }] })
export class UserNames {
  @HandlesEvent(UserCreated)
  created(event: UserCreated, ctx: ProjectionContext): void {
    // Plain values; commits in one transaction with the checkpoint, so it is applied exactly once.
    ctx.put('user-names', { id: event.userId, name: event.name });
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
