import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from './event-store-health.indicator.js';

/** Provides `EventStoreHealthIndicator`; needs `EventStoreModule.forRoot` (global, the default) in the application. */
@Module({ imports: [TerminusModule], providers: [EventStoreHealthIndicator], exports: [EventStoreHealthIndicator] })
export class EventStoreHealthModule {}
