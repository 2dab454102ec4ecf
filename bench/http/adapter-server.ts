// Serves the sample app's `POST /users` one of three ways, chosen by BENCH_ADAPTER, for the adapter comparison:
// `express` (the sample as it ships), `express-unvalidated` (the same without the write bodies' ValidationPipe), `fastify` (the same module on @nestjs/platform-fastify), or `bare` (a
// plain Node `http` handler calling the same User repository from a Nest application context). Each runs the
// whole sample module, feed and projections included, so only the HTTP layer differs.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AggregateRepository, getRepositoryToken } from '../../lib/index.js';
import { SampleAppModule } from '../../sample-app/app.module.js';
import { createSampleApp, type SampleAppConfig } from '../../sample-app/app.js';
import { settingsFromEnv } from '../../sample-app/env.js';
import { User } from '../../sample-app/users/user.aggregate.js';
import { answer } from './json-answer.js';

const adapter = process.env['BENCH_ADAPTER'];

async function bare(config: SampleAppConfig, port: number): Promise<void> {
  const context = await NestFactory.createApplicationContext(SampleAppModule.register(config), { abortOnError: false });
  context.enableShutdownHooks();
  const users = context.get<AggregateRepository<User>>(getRepositoryToken(User));
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') return answer(res, 200, { projections: {} });
    if (req.method !== 'POST' || req.url !== '/users') return answer(res, 404, { statusCode: 404, message: 'Not found' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        let name: unknown;
        try {
          name = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: unknown }).name;
        } catch {
          return answer(res, 400, { statusCode: 400, message: 'body must be JSON' });
        }
        if (typeof name !== 'string' || !name) return answer(res, 400, { statusCode: 400, message: '"name" must be a non-empty string' });
        const user = new User(randomUUID());
        user.create(name);
        const { version, token } = await users.save(user);
        answer(res, 201, { id: user.id, version, token });
      })().catch(() => answer(res, 500, { statusCode: 500, message: 'Internal server error' }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
}

async function main(): Promise<void> {
  const { port, databaseUrl, ...settings } = settingsFromEnv();
  if (!databaseUrl) throw new Error('DATABASE_URL must name the PostgreSQL of the sample\'s leaderboard');
  // Like `main.ts` with AWS settings in the environment: the SDK reads its standard variables.
  const config: SampleAppConfig = { dynamodb: {}, s3: { forcePathStyle: true }, ...settings, databaseUrl };
  if (adapter === 'bare') return bare(config, port);
  if (adapter === 'fastify') {
    const app = await NestFactory.create<NestFastifyApplication>(SampleAppModule.register(config), new FastifyAdapter(), { abortOnError: false });
    app.enableShutdownHooks();
    await app.listen(port, '127.0.0.1');
    return;
  }
  if (adapter !== 'express' && adapter !== 'express-unvalidated') {
    throw new Error(`BENCH_ADAPTER must be express, express-unvalidated, fastify or bare, got "${adapter}"`);
  }
  // express-unvalidated: the same, without the write bodies' ValidationPipe (what validation costs).
  const app = await createSampleApp({ ...config, validateBodies: adapter === 'express' });
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
