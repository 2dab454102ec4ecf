import type { HttpAnswer, HttpClient } from './http-client.js';
import type { Shot } from './open-load.js';
import { seededRandom } from './stats.js';

/** The request kinds of the sample app, with their share of the mix (percent). */
export const MIX = [
  ['createUser', 10],
  ['createPost', 5],
  ['clap', 45],
  ['getUser', 20],
  ['getPost', 20],
] as const;

export type Kind = (typeof MIX)[number][0];
export const KINDS: readonly Kind[] = MIX.map(([kind]) => kind);

interface Created {
  readonly id: string;
  readonly token: string;
  readonly ackedAt: number;
}

const created = (status: number) => status === 201;
const found = (status: number) => status === 200;

/**
 * Users and posts of the sample app, and the shots of each request kind over them. Claps and reads use a pool
 * created before the measured window; users created during it are read back `probeAfterMs` later (view lag).
 */
export class SampleWorkload {
  readonly users: string[] = [];
  readonly posts: string[] = [];
  private readonly fresh: Created[] = [];
  private readonly random: () => number;
  private createdUsers = 0;
  /** Fresh users read back after `probeAfterMs`: how many the view had, and how many it did not. */
  readonly probes = { found: 0, notFound: 0 };
  /** ms from a user's 201 until `GET /users/:id?after=token` answered, for every `lagEvery`-th new user. */
  readonly lags: number[] = [];
  lagTimeouts = 0;

  constructor(
    private readonly client: HttpClient,
    private readonly options: { probeAfterMs: number; lagEvery: number; lagTimeoutMs: number; seed: number },
  ) {
    this.random = seededRandom(options.seed);
  }

  /** Creates the pool, `concurrency` requests at a time. */
  async seed(users: number, posts: number, concurrency = 8): Promise<void> {
    const make = async (count: number, create: () => Promise<unknown>) => {
      let left = count;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await create();
      }));
    };
    await make(users, async () => this.users.push(await this.create('/users', { name: `user-${this.users.length}` })));
    await make(posts, async () => this.posts.push(await this.create('/posts', { authorId: this.pick(this.users), title: 'a post' })));
  }

  /** A request drawn from the mix. */
  mixShot(): Shot {
    let draw = this.random() * 100;
    for (const [kind, share] of MIX) {
      if ((draw -= share) < 0) return this.shot(kind);
    }
    return this.shot('clap');
  }

  shot(kind: Kind): Shot {
    switch (kind) {
      case 'createUser':
        return { kind, method: 'POST', path: '/users', body: { name: 'bench user' }, ok: created, onAnswer: (answer, at) => this.userCreated(answer, at) };
      case 'createPost':
        return { kind, method: 'POST', path: '/posts', body: { authorId: this.pick(this.users), title: 'bench post' }, ok: created };
      case 'clap':
        return { kind, method: 'POST', path: `/posts/${this.pick(this.posts)}/claps`, body: { userId: this.pick(this.users) }, ok: created };
      case 'getPost':
        return { kind, method: 'GET', path: `/posts/${this.pick(this.posts)}`, ok: found };
      case 'getUser':
        return this.userRead();
    }
  }

  /** Reads a user created `probeAfterMs` ago when there is one (a 404 then is view lag, not an error), else a pool user. */
  private userRead(): Shot {
    const head = this.fresh[0];
    if (!head || head.ackedAt > performance.now() - this.options.probeAfterMs) {
      return { kind: 'getUser', method: 'GET', path: `/users/${this.pick(this.users)}`, ok: found };
    }
    this.fresh.shift();
    return {
      kind: 'getUser',
      method: 'GET',
      path: `/users/${head.id}`,
      ok: (status) => status === 200 || status === 404,
      onAnswer: ({ status }) => void (status === 200 ? this.probes.found++ : status === 404 ? this.probes.notFound++ : undefined),
    };
  }

  private userCreated(answer: HttpAnswer, ackedAt: number): void {
    const body = answer.body as { id?: string; token?: string } | undefined;
    if (answer.status !== 201 || !body?.id || !body.token) return;
    const user = { id: body.id, token: body.token, ackedAt };
    this.fresh.push(user);
    if (++this.createdUsers % this.options.lagEvery === 0) void this.measureLag(user);
  }

  /** Read-your-writes: answers once the user view includes the commit, so the wait is the view's lag. */
  private async measureLag(user: Created): Promise<void> {
    const path = `/users/${user.id}?after=${encodeURIComponent(user.token)}`;
    const answer = await this.client.send('GET', path, undefined, { signal: AbortSignal.timeout(this.options.lagTimeoutMs) }).catch(() => undefined);
    if (answer?.status === 200) this.lags.push(performance.now() - user.ackedAt);
    else this.lagTimeouts++;
  }

  /** Waits for the lag reads still open (they may wait up to their timeout). */
  async settleLagReads(): Promise<void> {
    const deadline = performance.now() + this.options.lagTimeoutMs + 1000;
    while (this.pendingLag() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private pendingLag(): boolean {
    return this.lags.length + this.lagTimeouts < Math.floor(this.createdUsers / this.options.lagEvery);
  }

  /** Starts a new measured window: forgets the probes and lags of the previous one. */
  resetWindow(): void {
    this.fresh.splice(0);
    this.lags.splice(0);
    this.lagTimeouts = 0;
    this.createdUsers = 0;
    this.probes.found = 0;
    this.probes.notFound = 0;
  }

  private async create(path: string, body: unknown): Promise<string> {
    const answer = await this.client.send('POST', path, body, { parse: true });
    const id = (answer.body as { id?: string } | undefined)?.id;
    if (answer.status !== 201 || !id) throw new Error(`POST ${path} answered ${answer.status}`);
    return id;
  }

  private pick(pool: readonly string[]): string {
    return pool[Math.floor(this.random() * pool.length)]!;
  }
}
