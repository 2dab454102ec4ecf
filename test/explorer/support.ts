import type { CanActivate, ExecutionContext, INestApplication } from '@nestjs/common';
import { Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { AggregateRoot } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreExplorerModule, type EventStoreExplorerOptions } from '../../lib/explorer/index.js';
import { Aggregate, EventStoreModule, EventType, HandlesEvent, Projection } from '../../lib/index.js';
import { Account, MoneyDeposited } from '../fixtures/account.js';
import { dynamoDbConfig, uniquePrefix } from '../support/local-aws.js';

/** Every hostile string the pages must show as text. Each would set `window.__pwned` if it ever ran. */
export const HOSTILE = {
  script: '<script>window.__pwned = 1</script>',
  attribute: '"><img src=x onerror="window.__pwned = 1">',
} as const;

/** Deposits of this amount fail in the projection with a hostile error text, so they park. */
export const POISON_AMOUNT = 13;

@Projection('hostile-errors', { maxAttempts: 1, retryDelayMs: 1 })
export class HostileErrorProjection {
  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited): void {
    if (event.amount === POISON_AMOUNT) throw new Error(`cannot apply ${HOSTILE.script} ${HOSTILE.attribute}`);
  }
}

@EventType('note.written')
export class NoteWritten {
  constructor(readonly text: string) {}
}

/** Snapshotted at every event, so its stream page has a snapshot to show (its state is the notes' text). */
@Aggregate({ type: 'Note', events: [NoteWritten], snapshot: { every: 1 } })
export class Note extends AggregateRoot {
  texts: string[] = [];

  constructor(readonly id: string) {
    super();
  }

  write(text: string): void {
    this.apply(new NoteWritten(text));
  }

  onNoteWritten(event: NoteWritten): void {
    this.texts.push(event.text);
  }
}

/** Lets a request in when it carries `x-role: reader` or `admin`; 401 without one. */
@Injectable()
export class RoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const role = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-role'];
    if (role === undefined) throw new UnauthorizedException();
    return role === 'reader' || role === 'admin';
  }
}

/** Consents for `x-role: admin` only. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-role'] === 'admin';
  }
}

/** An app with the store on DynamoDB Local, the `Account` aggregate, a projection that parks, and the explorer. */
/** A request header the test apps read as the client's address (see `startExplorerApp`). */
export const REMOTE_ADDRESS_HEADER = 'x-test-remote-address';

/** `feedShards`: the store's `feed.shards` (default 1). */
export async function startExplorerApp(explorer: EventStoreExplorerOptions, host = '127.0.0.1', feedShards = 1): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({
        dynamodb: { clientConfig: dynamoDbConfig(), tablePrefix: uniquePrefix('ex'), createTables: true },
        feed: { idleMs: 5, maxIdleMs: 50, ...(feedShards > 1 ? { shards: feedShards } : {}) },
      }),
      EventStoreModule.forFeature([Account, Note]),
      EventStoreModule.forProjections([HostileErrorProjection]),
      EventStoreExplorerModule.forRoot(explorer),
    ],
  })
  class ExplorerTestModule {}
  const app = await NestFactory.create(ExplorerTestModule, { logger: ['error'], abortOnError: false });
  // Tests reach the app on loopback only; a request can say which client address the explorer should see
  // (`x-test-remote-address`), as a client elsewhere on the network would be seen.
  app.use((req: { headers: Record<string, unknown>; socket: object }, _res: unknown, next: () => void) => {
    const seen = req.headers[REMOTE_ADDRESS_HEADER];
    if (typeof seen === 'string') Object.defineProperty(req.socket, 'remoteAddress', { value: seen, configurable: true });
    else delete (req.socket as { remoteAddress?: string }).remoteAddress; // back to the socket's own getter
    next();
  });
  await app.listen(0, host);
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}` };
}
