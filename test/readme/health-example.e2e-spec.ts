import { readFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { localDynamoDb } from '../support/local-aws.js';
import { HealthModule } from './health-example.js';
import { appModule } from './quickstart.js';

describe('README health example', () => {
  it('is the code in the README, verbatim', () => {
    const readme = readFileSync('README.md', 'utf8');
    const source = readFileSync('test/readme/health-example.ts', 'utf8')
      .replace("'../../lib/health/index.js'", "'nestjs-dynamodb-event-store/health'")
      .trim();
    expect(readme).toContain(source);
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
