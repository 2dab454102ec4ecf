import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, getRepositoryToken } from '../../lib/index.js';
import { localDynamoDb } from '../support/local-aws.js';
import { CreateUser, User, appModule } from './quickstart.js';
import { readme, readmeSnippet } from './readme-source.js';

describe('README quickstart', () => {
  it('is the code in the README, verbatim', () => {
    expect(readme()).toContain(readmeSnippet('test/readme/quickstart.ts'));
  });

  it('runs against DynamoDB Local', async () => {
    const client = localDynamoDb();
    const moduleRef = await Test.createTestingModule({ imports: [appModule(client)] }).compile();
    const app = await moduleRef.createNestApplication().init();
    const id = randomUUID();
    const result = await app.get(CommandBus).execute(new CreateUser(id, 'ada'));
    expect(result).toMatchObject({ aggregateId: id, version: 1 });
    const users = app.get<AggregateRepository<User>>(getRepositoryToken(User));
    expect((await users.load(id)).name).toBe('ada');
    await app.close();
    client.destroy();
  });
});
