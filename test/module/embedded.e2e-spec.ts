import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStoreModule, type EventStoreModuleOptions, getRepositoryToken } from '../../lib/index.js';
import { EVENT_STORE_RUNTIME, type EventStoreRuntime } from '../../lib/store/index.js';
import { freePort } from '../../lib/embedded/local-process.js';
import { Account } from '../fixtures/account.js';
import { localS3 } from '../support/local-aws.js';

/** A JVM start takes a few seconds on a quiet machine, many more on a busy one. */
const JVM_START_MS = 120_000;

async function boot(options: EventStoreModuleOptions) {
  @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot(options), EventStoreModule.forFeature([Account])] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  return moduleRef.createNestApplication({ logger: ['error'] }).init();
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `body` with `NODE_ENV` set to `value`, then puts it back. */
async function withNodeEnv<T>(value: string, body: () => Promise<T>): Promise<T> {
  const before = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = before;
  }
}

async function startError(options: EventStoreModuleOptions): Promise<unknown> {
  return boot(options).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('EventStoreModule: dynamodb.embedded', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'embedded-dynamodb-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts DynamoDB Local on disk, saves, stops it on close, and loads the save after a restart on the same dataDir', async () => {
    const options = { dynamodb: { embedded: { dataDir }, tablePrefix: 'embedded-' } };
    const account = new Account(randomUUID());

    const first = await boot(options);
    const endpoint = first.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).embeddedDynamoDb!.endpoint;
    const port = Number(new URL(endpoint).port);
    try {
      account.open('ada');
      account.deposit(42);
      await expect(first.get<AggregateRepository<Account>>(getRepositoryToken(Account)).save(account)).resolves.toMatchObject({ version: 2 });
      await expect(answers(port)).resolves.toBe(true);
    } finally {
      await first.close();
    }
    await expect(answers(port)).resolves.toBe(false);
    expect(existsSync(join(dataDir, 'shared-local-instance.db'))).toBe(true);

    // Also proves the escape hatch: NODE_ENV=production starts it when allowed.
    const second = await withNodeEnv('production', () => boot({ dynamodb: { embedded: { dataDir, allowInProduction: true }, tablePrefix: 'embedded-' } }));
    try {
      const loaded = await second.get<AggregateRepository<Account>>(getRepositoryToken(Account)).load(account.id);
      expect({ owner: loaded.owner, balance: loaded.balance }).toEqual({ owner: 'ada', balance: 42 });
    } finally {
      await second.close();
    }
  }, 2 * JVM_START_MS);

  it('stops DynamoDB Local when a later start-up step fails (a missing bucket), in memory without a data folder', async () => {
    const port = await freePort();
    const s3 = localS3();
    const cwdData = join(process.cwd(), '.data', 'dynamodb');
    const hadCwdData = existsSync(cwdData);
    const error = await startError({
      dynamodb: { embedded: { dataDir: false, port } },
      s3: {
        bucket: `missing-${randomUUID().slice(0, 8)}`,
        client: s3,
      },
    });
    s3.destroy();
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', option: 's3.bucket' });
    await expect(answers(port)).resolves.toBe(false);
    expect(existsSync(cwdData)).toBe(hadCwdData);
  }, JVM_START_MS);

  it('refuses to start when NODE_ENV is production, before starting anything', async () => {
    const port = await freePort();
    const error = await withNodeEnv('production', () => startError({ dynamodb: { embedded: { dataDir: false, port } } }));
    expect(error).toMatchObject({ name: 'EmbeddedInProductionError', code: 'EMBEDDED_IN_PRODUCTION' });
    expect((error as Error).message).toContain('allowInProduction: true');
    await expect(answers(port)).resolves.toBe(false);
  });

  it('names the port when it is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const error = await startError({ dynamodb: { embedded: { dataDir: false, port } } });
      expect(error).toMatchObject({ name: 'EmbeddedDynamoDbUnavailableError', code: 'EMBEDDED_DYNAMODB_UNAVAILABLE', failure: 'port-in-use' });
      expect((error as Error).message).toContain(`port ${port} is already in use`);
    } finally {
      server.close();
    }
  });

  it('says what to install when java is missing', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = mkdtempSync(join(tmpdir(), 'no-java-'));
    try {
      const error = await startError({ dynamodb: { embedded: { dataDir: false } } });
      expect(error).toMatchObject({ name: 'EmbeddedDynamoDbUnavailableError', failure: 'java-missing' });
      expect((error as Error).message).toContain('install Java 17+');
    } finally {
      rmSync(process.env['PATH'], { recursive: true, force: true });
      process.env['PATH'] = path;
    }
  });
});
