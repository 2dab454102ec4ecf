import 'reflect-metadata';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SampleAppModule } from './app.module.js';
import type { SampleAppConfig } from './config.js';

export type { SampleAppConfig } from './config.js';

/**
 * Builds (but does not start) the sample app against the given DynamoDB and S3. Call `init()` or `listen()`;
 * tables and the bucket are created then if missing.
 */
export async function createSampleApp(config: SampleAppConfig, options: NestApplicationOptions = {}): Promise<INestApplication> {
  // abortOnError: false makes a failed start-up throw (so callers can clean up) instead of exiting the process.
  return NestFactory.create(SampleAppModule.register(config), { abortOnError: false, ...options });
}
