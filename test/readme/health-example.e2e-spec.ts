import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { localDynamoDb } from '../support/local-aws.js';
import { HealthModule } from './health-example.js';
import { appModule } from './quickstart.js';
import { docPage, readmeSnippet } from './readme-source.js';

describe('docs health example', () => {
  it('is the code in docs/operating.md, verbatim', () => {
    expect(docPage('operating')).toContain(readmeSnippet('test/readme/health-example.ts'));
  });

  it('answers GET /health for the quickstart app', async () => {
    const client = localDynamoDb();
    @Module({ imports: [appModule(client), HealthModule] })
    class AppWithHealth {}
    const app = await (await Test.createTestingModule({ imports: [AppWithHealth] }).compile()).createNestApplication({ logger: false }).init();
    try {
      const response = await request(app.getHttpServer()).get('/health').expect(200);
      expect(response.body).toMatchObject({ status: 'ok', info: { eventStore: { status: 'up', storage: { reachable: true } } } });
    } finally {
      await app.close();
      client.destroy();
    }
  });
});
