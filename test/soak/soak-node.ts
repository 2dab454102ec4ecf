import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { EventStoreModule, ProjectionManager } from '../../lib/index.js';
import { EventStoreTypeOrmModule } from '../../lib/typeorm/index.js';
import { SampleAppModule } from '../../sample-app/app.module.js';
import type { SampleAppConfig } from '../../sample-app/config.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import { User } from '../../sample-app/users/user.aggregate.js';
import { type FaultCounts, type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { hookStatements } from '../support/faults/sql-statements.js';
import { installFaultMix } from './fault-mix.js';
import type { HistoryRecorder, Outcome } from './history.js';
import { HistoryProjection } from './history-projection.js';
import { SOAK_NODE, SoakCommand, SoakCommandHandler, type SoakNodeContext, type SoakSpec } from './soak-commands.js';
import { SqlFaults } from './sql-faults.js';
import { type PostgresLogin, SQL_CHECKPOINT_TABLE, SqlHistoryProjection } from './sql-history-projection.js';

/** The sample app, plus the recording projections (DynamoDB and PostgreSQL) and the recorded commands. */
@Module({})
class SoakNodeModule {
  static register(config: SampleAppConfig, context: SoakNodeContext, postgres: PostgresLogin, sqlFaults: SqlFaults): DynamicModule {
    return {
      module: SoakNodeModule,
      imports: [
        SampleAppModule.register(config),
        EventStoreModule.forFeature([User, Post]),
        EventStoreModule.forProjections([HistoryProjection]),
        // Named after the node: @nestjs/typeorm keeps a process-wide registry of names, and the nodes share a process.
        TypeOrmModule.forRootAsync({
          name: context.id,
          useFactory: () => ({ ...postgres, logging: false }),
          // The SQL faults sit just above the driver: under the library's SQL port, as the proxy sits under the SDK.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            hookStatements(dataSource, SQL_CHECKPOINT_TABLE, sqlFaults.hook);
            return dataSource;
          },
        }),
        EventStoreTypeOrmModule.forProjections([SqlHistoryProjection], { checkpointTable: SQL_CHECKPOINT_TABLE, dataSource: context.id }),
      ],
      providers: [{ provide: SOAK_NODE, useValue: context }, SoakCommandHandler],
    };
  }
}

export interface SoakNodeOptions {
  readonly id: string;
  /** DynamoDB (Local): the node's own fault proxy forwards there. */
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly tablePrefix: string;
  /** The PostgreSQL database of the sample's leaderboard, shared by the run's nodes. */
  readonly databaseUrl: string;
  readonly seed: number;
  /** Share of the node's requests faulted. */
  readonly faultRate: number;
  readonly leaseTtlMs: number;
  /** The DynamoDB clients' `maxAttempts` (SDK retries included). */
  readonly maxAttempts: number;
  readonly saveRetries: number;
  readonly history: HistoryRecorder;
  /** `s3.largeChangesetBytes` of this node (1: every save goes to S3). Default: the library's. */
  readonly largeChangesetBytes?: number;
  /** The database of the SQL projection. */
  readonly postgres: PostgresLogin;
  /** Feed shards this node is configured with (`feed.shards`): a higher count than the stored one raises it. */
  readonly shards: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** One application node in this process, whose every DynamoDB request goes through its own fault proxy. */
export class SoakNode {
  private paused = false;
  private faultsOn = false;
  private requestCount = 0;
  private finalCounts: FaultCounts | undefined;

  private constructor(
    readonly id: string,
    private readonly context: SoakNodeContext,
    private readonly proxy: FaultProxy,
    private readonly sql: SqlFaults,
    private app: INestApplication | undefined,
  ) {}

  static async start(options: SoakNodeOptions): Promise<SoakNode> {
    let node: SoakNode | undefined;
    const proxy = await startFaultProxy({ target: options.dynamodbEndpoint, seed: options.seed, onRequest: () => node && node.requestCount++ });
    const context: SoakNodeContext = { id: options.id, alive: true, history: options.history, saveRetries: options.saveRetries };
    const sql = new SqlFaults(options.seed * 7 + 1, options.faultRate, () => node!.faultsOn && !node!.paused);
    node = new SoakNode(options.id, context, proxy, sql, undefined);
    installFaultMix(proxy, options.faultRate, () => node!.faultsOn && !node!.paused);
    const config: SampleAppConfig = {
      dynamodb: { endpoint: proxy.endpoint, region: 'us-east-1', credentials, maxAttempts: options.maxAttempts },
      s3: { endpoint: options.s3Endpoint, region: 'us-east-1', credentials, forcePathStyle: true },
      bucket: options.bucket,
      tablePrefix: options.tablePrefix,
      databaseUrl: options.databaseUrl,
      feed: { nodeId: options.id, leaseTtlMs: options.leaseTtlMs, shards: options.shards },
      ...(options.largeChangesetBytes === undefined ? {} : { largeChangesetBytes: options.largeChangesetBytes }),
    };
    try {
      node.app = await NestFactory.create(SoakNodeModule.register(config, context, options.postgres, sql), { logger: ['error'], abortOnError: false });
      await node.app.init();
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    node.faultsOn = true; // start-up (table creation) runs without faults: the run is about what comes after
    return node;
  }

  get alive(): boolean {
    return this.context.alive;
  }

  get manager(): ProjectionManager {
    return this.app!.get(ProjectionManager);
  }

  execute(spec: SoakSpec): Promise<Outcome> {
    return this.app!.get(CommandBus).execute(new SoakCommand(spec));
  }

  /** Holds every request of this node (a GC pause, SIGSTOP); the returned `release` lets them through, late, and says how many were held. */
  pause(): () => number {
    this.paused = true;
    const rule = this.proxy.addRule({ fault: { kind: 'pause' } });
    const releaseSql = this.sql.pause();
    return () => {
      this.paused = false;
      rule.release();
      return rule.injected + releaseSql();
    };
  }

  /** A crash: nothing it sends arrives any more, it stops without giving up its leases, then shuts down. */
  async kill(): Promise<void> {
    this.context.alive = false;
    this.finalCounts = this.proxy.counts();
    this.sql.cut();
    await this.proxy.stop();
    await this.manager.stopWithoutRelease();
    await this.app!.close().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.context.alive = false;
    this.finalCounts ??= this.proxy.counts();
    await this.app!.close();
    await this.proxy.stop();
  }

  get requests(): number {
    return this.requestCount;
  }

  /** Injected faults by kind and operation; the SQL ones as `sql-<kind>` on the operation `SQL`. */
  counts(): FaultCounts {
    const sql = Object.fromEntries(Object.entries(this.sql.injected()).map(([kind, n]) => [`sql-${kind}`, { SQL: n }]));
    return { ...(this.finalCounts ?? this.proxy.counts()), ...sql } as FaultCounts;
  }
}
