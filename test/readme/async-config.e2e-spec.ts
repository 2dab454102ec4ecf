import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, getRepositoryToken } from '../../lib/index.js';
import { dynamoDbConfig, uniquePrefix } from '../support/local-aws.js';
import { AppModule } from './async-config.js';
import { CreateUser, User } from './quickstart.js';
import { docPage, readmeSnippet } from './readme-source.js';

describe('README forRootAsync example with ConfigService', () => {
  it('is the code in docs/configuration.md, verbatim', () => {
    expect(docPage('configuration')).toContain(readmeSnippet('test/readme/async-config.ts'));
  });

  it('boots from environment variables, as written, and saves', async () => {
    const saved = { ...process.env };
    const local = dynamoDbConfig();
    Object.assign(process.env, {
      AWS_REGION: local.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      DYNAMODB_ENDPOINT: local.endpoint,
      EVENT_STORE_TABLE_PREFIX: uniquePrefix('config'),
      EVENT_STORE_CREATE_TABLES: 'true',
    });
    try {
      const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
      const id = randomUUID();
      await expect(app.get(CommandBus).execute(new CreateUser(id, 'hedy'))).resolves.toMatchObject({ aggregateId: id, version: 1 });
      expect((await app.get<AggregateRepository<User>>(getRepositoryToken(User)).load(id)).name).toBe('hedy');
      await app.close();
    } finally {
      process.env = saved;
    }
  });
});
