import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStoreModule, type EventStoreModuleOptions, getRepositoryToken, InvalidEventStoreOptionsError, StorageUnavailableError, EVENT_STORE_DYNAMODB_CLIENT } from '../../lib/index.js';
import { validateOptions } from '../../lib/store/index.js';
import { Account } from '../fixtures/account.js';
import { localS3, uniquePrefix } from '../support/local-aws.js';

async function boot(options: EventStoreModuleOptions) {
  @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot(options), EventStoreModule.forFeature([Account])] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  return moduleRef.createNestApplication().init();
}

describe('EventStoreModule options', () => {
  it.each([
    [{}, 'dynamodb'],
    [{ dynamodb: { tablePrefix: 'bad prefix!' } }, 'dynamodb.tablePrefix'],
    [{ dynamodb: { client: {} } }, 'dynamodb.client'],
    [{ dynamodb: { createTables: 'yes' } }, 'dynamodb.createTables'],
    [{ dynamodb: {}, s3: { bucket: 'x' } }, 's3.bucket'],
    [{ dynamodb: {}, s3: { bucket: 'ok-bucket', client: 42 } }, 's3.client'],
    [{ inMemory: 'true' }, 'inMemory'],
    [{ inMemory: true, events: [undefined] }, 'events[0]'],
    [{ dynamodb: { createTable: true } }, 'dynamodb.createTable'],
    [{ inMemorry: true }, 'inMemorry'],
    [{ inMemory: true, feed: { idleMS: 5 } }, 'feed.idleMS'],
    [{ inMemory: true, aggregateCache: { max: 5 } }, 'aggregateCache.max'],
    [{ inMemory: true, feed: { recentBatchesMaxBytes: -1 } }, 'feed.recentBatchesMaxBytes'],
    [{ dynamodb: {}, s3: { bucket: 'ok-bucket', createbucket: true } }, 's3.createbucket'],
    [{ inMemory: true, dynamodb: {} }, 'dynamodb'],
    [{ inMemory: true, s3: { bucket: 'ok-bucket', createBucket: true } }, 's3.createBucket'],
    [{ dynamodb: { client: { send() {} }, clientConfig: {} } }, 'dynamodb.clientConfig'],
    [{ dynamodb: {}, s3: { bucket: 'ok-bucket', client: { send() {} }, clientConfig: {} } }, 's3.clientConfig'],
    [{ dynamodb: { embedded: 'yes' } }, 'dynamodb.embedded'],
    [{ dynamodb: { embedded: { dataDr: '.data' } } }, 'dynamodb.embedded.dataDr'],
    [{ dynamodb: { embedded: { dataDir: '' } } }, 'dynamodb.embedded.dataDir'],
    [{ dynamodb: { embedded: { port: 70000 } } }, 'dynamodb.embedded.port'],
    [{ dynamodb: { embedded: { jvmOptions: '-Xmx256m' } } }, 'dynamodb.embedded.jvmOptions'],
    [{ dynamodb: { embedded: { startTimeoutMs: 0 } } }, 'dynamodb.embedded.startTimeoutMs'],
    [{ dynamodb: { embedded: { allowInProduction: 'yes' } } }, 'dynamodb.embedded.allowInProduction'],
    [{ dynamodb: { embedded: true, client: { send() {} } } }, 'dynamodb.client'],
    [{ dynamodb: { embedded: {}, streamsClient: { send() {} } } }, 'dynamodb.streamsClient'],
    [{ dynamodb: { embedded: true, clientConfig: { endpoint: 'http://localhost:8000' } } }, 'dynamodb.clientConfig.endpoint'],
    [{ dynamodb: { embedded: true, createTables: false } }, 'dynamodb.createTables'],
    [{ inMemory: true, dynamodb: { embedded: true } }, 'dynamodb'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      validateOptions(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventStoreOptionsError);
    expect(error).toMatchObject({ option, code: 'INVALID_OPTIONS' });
    expect((error as Error).message).toContain(option);
  });

  it.each([
    [{ dynamodb: { createTable: true } }, 'dynamodb.createTable', 'createTables'],
    [{ inMemorry: true }, 'inMemorry', 'inMemory'],
    [{ inMemory: true, feed: { idleMS: 5 } }, 'feed.idleMS', 'idleMs'],
    [{ dynamodb: {}, s3: { bucket: 'ok-bucket', createbucket: true } }, 's3.createbucket', 'createBucket'],
    [{ dynamodb: { embedded: { dataDr: '.data' } } }, 'dynamodb.embedded.dataDr', 'dataDir'],
  ])('names an unknown key %j and suggests the option it most likely meant', (options, option, meant) => {
    expect(() => validateOptions(options)).toThrow(`Invalid event store option "${option}": is not an option; did you mean "${meant}"?`);
  });

  it('accepts dynamodb.embedded with the client settings it does not own', () => {
    expect(() => validateOptions({ dynamodb: { embedded: true, clientConfig: { maxAttempts: 5 }, createTables: true, tablePrefix: 'app-' } })).not.toThrow();
    expect(() => validateOptions({ dynamodb: { embedded: { dataDir: false, port: 8000, jvmOptions: ['-Xmx256m'], startTimeoutMs: 1, allowInProduction: false } } })).not.toThrow();
    expect(() => validateOptions({ dynamodb: { embedded: false, client: { send() {} } } })).not.toThrow();
  });

  it('lists the known keys when no option is close to an unknown one', () => {
    expect(() => validateOptions({ inMemory: true, feed: { somethingElse: 1 } })).toThrow(
      'Invalid event store option "feed.somethingElse": is not an option; known options here: enabled, nodeId, leaseTtlMs, idleMs, maxIdleMs, recentBatchesMaxBytes',
    );
  });

  it('says why inMemory and dynamodb together are refused', () => {
    expect(() => validateOptions({ inMemory: true, dynamodb: { tablePrefix: 'x-' } })).toThrow(/"dynamodb": cannot be combined with inMemory: true/);
  });

  it('fails start-up with the option name', async () => {
    await expect(boot({ dynamodb: { tablePrefix: 'no spaces' } })).rejects.toThrow(/dynamodb\.tablePrefix/);
  });

  it('fails start-up clearly when DynamoDB is unreachable', async () => {
    const error = await boot({
      dynamodb: {
        clientConfig: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 },
        createTables: true,
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/DescribeTable/);
  });

  it('fails start-up when the bucket is missing and createBucket is off', async () => {
    const error = await boot({
      dynamodb: {
        clientConfig: { endpoint: process.env['TEST_DYNAMODB_ENDPOINT'], region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
        tablePrefix: uniquePrefix('bucket'),
        createTables: true,
      },
      s3: { client: localS3(), bucket: `missing-${randomUUID().slice(0, 8)}` },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', option: 's3.bucket' });
  });

  it('runs fully in memory for unit tests', async () => {
    const app = await boot({ inMemory: true });
    const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
    const account = new Account(randomUUID());
    account.open('mem');
    await accounts.save(account);
    expect((await accounts.load(account.id)).owner).toBe('mem');
    expect(app.get(EVENT_STORE_DYNAMODB_CLIENT)).toBeNull(); // there is no DynamoDB to read views from
    await app.close();
  });

  it('getRepositoryToken explains an undefined class', () => {
    expect(() => getRepositoryToken(undefined as never)).toThrow(/circular import/);
  });
});
