// `nestjs-dynamodb-event-store/health`: its own entry point, so `@nestjs/terminus` stays an optional peer.
export { EventStoreHealthIndicator } from './event-store-health.indicator.js';
export { EventStoreHealthModule } from './event-store-health.module.js';
export type { EventStoreHealthOptions } from './event-store-health.options.js';
export { assessProjection, type ProjectionHealth, type ProjectionShardHealth, type HealthLevel } from './assess.js';
export { assessShardedProjection } from './assess-shards.js';
