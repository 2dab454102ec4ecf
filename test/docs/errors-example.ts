// Shown in docs/errors.md ("Errors over HTTP"); compiled by the tests.
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventStoreExceptionFilter } from '../../lib/index.js';

// Or, in main.ts: app.useGlobalFilters(new EventStoreExceptionFilter(app.get(HttpAdapterHost)));
@Module({ providers: [{ provide: APP_FILTER, useClass: EventStoreExceptionFilter }] })
export class ErrorsModule {}
