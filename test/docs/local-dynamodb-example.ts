// docs/install.md, "Running your app against a local DynamoDB" (the option itself is tested in test/module/embedded.e2e-spec.ts).
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../../lib/index.js';
import { CreateUserHandler, User } from '../readme/quickstart.js';

@Module({
  imports: [
    CqrsModule.forRoot(),
    EventStoreModule.forRoot({
      dynamodb: process.env.AWS_REGION
        ? { clientConfig: { region: process.env.AWS_REGION }, tablePrefix: 'app-' }
        : { embedded: true, tablePrefix: 'app-' }, // DynamoDB Local of its own, data in .data/dynamodb
    }),
    EventStoreModule.forFeature([User]),
  ],
  providers: [CreateUserHandler],
})
export class AppModule {}

export async function bootstrap(port = 3000) {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks(); // a signal closes the app, which then stops DynamoDB Local
  await app.listen(port);
  return app;
}
