import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, type Dependency, decodeCommitToken, type IdentifiedAggregate, InjectRepository, isEventStoreError, isTransientStorageError } from '../../lib/index.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import { User } from '../../sample-app/users/user.aggregate.js';
import type { CommandKind, HistoryRecorder, Outcome } from './history.js';

/** What the workload asks a node to do. `after` is a commit token the save is ordered after. */
export type SoakSpec =
  | { readonly kind: 'create-user'; readonly userId: string; readonly after?: string }
  | { readonly kind: 'publish-post'; readonly postId: string; readonly authorId: string; readonly after?: string }
  | { readonly kind: 'clap'; readonly postId: string; readonly userId: string; readonly count: number; readonly after?: string };

/** The node a handler runs on: where it records, and whether it is still alive (a killed node stops retrying). */
export interface SoakNodeContext {
  readonly id: string;
  alive: boolean;
  readonly history: HistoryRecorder;
  /** Saves of one instance after unknown outcomes, before the command gives up with `unknown`. */
  readonly saveRetries: number;
}

export const SOAK_NODE = Symbol('SOAK_NODE');

export class SoakCommand extends Command<Outcome> {
  constructor(readonly spec: SoakSpec) {
    super();
  }
}

const CONFLICT_RETRIES = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sample's commands, with every `save()` recorded. A conflict reloads and decides again (a new decision);
 * an unknown outcome saves the same instance again, which must find its earlier commit rather than commit twice.
 */
@CommandHandler(SoakCommand)
export class SoakCommandHandler implements ICommandHandler<SoakCommand> {
  constructor(
    @InjectRepository(User) private readonly users: AggregateRepository<User>,
    @InjectRepository(Post) private readonly posts: AggregateRepository<Post>,
    @Inject(SOAK_NODE) private readonly node: SoakNodeContext,
  ) {}

  async execute({ spec }: SoakCommand): Promise<Outcome> {
    const after = spec.after === undefined ? [] : [decodeCommitToken(spec.after)!];
    switch (spec.kind) {
      case 'create-user': {
        const user = new User(spec.userId);
        user.create(`user ${spec.userId}`);
        return this.save(this.users, user, spec, after);
      }
      case 'publish-post': {
        const author = await this.users.load(spec.authorId);
        const post = new Post(spec.postId);
        post.publishBy(spec.authorId, `post ${spec.postId}`);
        return this.save(this.posts, post, spec, [this.loaded('User', author), ...after]);
      }
      case 'clap': {
        const user = await this.users.load(spec.userId);
        const dependencies = [this.loaded('User', user), ...after];
        for (let run = 1; ; run++) {
          const post = await this.posts.load(spec.postId);
          post.clap(spec.userId, spec.count);
          const outcome = await this.save(this.posts, post, spec, dependencies);
          if (outcome !== 'failed' || run >= CONFLICT_RETRIES || !this.node.alive) return outcome;
          await sleep(Math.random() * Math.min(100, 2 ** run));
        }
      }
    }
  }

  private loaded(aggregateType: string, aggregate: User): Dependency {
    return { aggregateType, aggregateId: aggregate.id, version: this.users.versionOf(aggregate) };
  }

  /** Saves one decision, retrying the same instance while the outcome is unknown; records every attempt. */
  private async save<T extends IdentifiedAggregate>(
    repository: AggregateRepository<T>,
    aggregate: T,
    spec: SoakSpec,
    dependencies: Dependency[],
  ): Promise<Outcome> {
    const op = randomUUID();
    const stream = { aggregateType: repository.aggregateType, aggregateId: aggregate.id };
    for (let attempt = 1; ; attempt++) {
      const base = { op, attempt, command: spec.kind as CommandKind, node: this.node.id, stream, dependencies };
      try {
        const result = await repository.save(aggregate, { correlationId: op, ...(spec.after === undefined ? {} : { after: spec.after }) });
        this.node.history.record({ ...base, outcome: 'acked', result });
        return 'acked';
      } catch (error) {
        const name = isEventStoreError(error) ? error.code : (error as Error).name;
        if (isEventStoreError(error, 'CONCURRENCY')) {
          this.node.history.record({ ...base, outcome: 'failed', error: name });
          return 'failed';
        }
        this.node.history.record({ ...base, outcome: 'unknown', error: name });
        if (!isTransientStorageError(error)) throw error;
        if (attempt > this.node.saveRetries || !this.node.alive) return 'unknown';
        await sleep(5 + Math.random() * 20);
      }
    }
  }
}
