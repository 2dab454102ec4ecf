import { runInUnitOfWork } from '../../lib/repository/unit-of-work.js';
import { ClapPostCommand, ClapPostHandler } from '../../sample-app/posts/clap-post.command.js';
import { PublishPostCommand, PublishPostHandler } from '../../sample-app/posts/publish-post.command.js';
import { CreateUserCommand, CreateUserHandler } from '../../sample-app/users/create-user.command.js';
import type { CommandAck } from '../../sample-app/shared/command-ack.js';
import type { ModelNode } from './model-node.js';

/** Shares of the sample's write commands, as its HTTP bench mixes them. */
export interface CommandMix {
  readonly createUser: number;
  readonly publishPost: number;
  readonly clap: number;
}

export const SAMPLE_MIX: CommandMix = { createUser: 0.1, publishPost: 0.1, clap: 0.8 };
/** Users and posts made first, before the mix applies, so claps spread over many posts from the start. */
const SEED_USERS = 100;
const SEED_POSTS = 200;
/** Arrivals are released every this many ms, at the offered rate on average. */
const TICK_MS = 5;

interface Handlers {
  readonly createUser: CreateUserHandler;
  readonly publishPost: PublishPostHandler;
  readonly clap: ClapPostHandler;
}

/**
 * An open-loop load of the sample's commands, run by the sample's own handlers on the nodes in turn: creating
 * users, publishing posts (which loads the author) and clapping posts (which loads the clapper): the last two
 * save changesets that depend on another aggregate. Commands arrive at the offered rate whatever the answers.
 */
export class Workload {
  readonly users: string[] = [];
  readonly posts: string[] = [];
  offered = 0;
  answered = 0;
  readonly failures = new Map<string, number>();
  private readonly handlers: Handlers[];
  private readonly inflight = new Set<Promise<void>>();
  private turn = 0;

  constructor(
    nodes: readonly ModelNode[],
    private readonly random: () => number,
    private readonly mix: CommandMix = SAMPLE_MIX,
  ) {
    this.handlers = nodes.map((n) => ({
      createUser: new CreateUserHandler(n.users),
      publishPost: new PublishPostHandler(n.users, n.posts),
      clap: new ClapPostHandler(n.users, n.posts),
    }));
  }

  /** Offers `rate` commands a second until the clock reaches `untilMs`. */
  async drive(rate: number, untilMs: number): Promise<void> {
    let owed = 0;
    while (Date.now() < untilMs) {
      owed += (rate * TICK_MS) / 1000;
      for (; owed >= 1; owed--) this.launch();
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }

  /** Settles when every command launched so far has answered. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  get pending(): number {
    return this.inflight.size;
  }

  private launch(): void {
    this.offered++;
    const handlers = this.handlers[this.turn++ % this.handlers.length]!;
    const run = runInUnitOfWork(() => this.command(handlers))
      .then(
        () => undefined,
        (error: unknown) => {
          const code = (error as { code?: string; name?: string }).code ?? (error as Error).name ?? 'Error';
          this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
        },
      )
      .finally(() => {
        this.answered++;
        this.inflight.delete(run);
      });
    this.inflight.add(run);
  }

  private async command(h: Handlers): Promise<CommandAck> {
    const pick = <T>(list: readonly T[]) => list[Math.floor(this.random() * list.length)]!;
    const draw = this.random() * (this.mix.createUser + this.mix.publishPost + this.mix.clap);
    if (this.users.length < SEED_USERS || draw < this.mix.createUser) {
      const ack = await h.createUser.execute(new CreateUserCommand(`user ${this.offered}`));
      this.users.push(ack.id);
      return ack;
    }
    if (this.posts.length < SEED_POSTS || draw < this.mix.createUser + this.mix.publishPost) {
      const ack = await h.publishPost.execute(new PublishPostCommand(pick(this.users), `post ${this.offered}`));
      this.posts.push(ack.id);
      return ack;
    }
    return h.clap.execute(new ClapPostCommand(pick(this.posts), pick(this.users), 1 + Math.floor(this.random() * 5)));
  }
}
