import 'reflect-metadata';
import type { EventClass } from '../serialization/event-type.decorator.js';
import { checkReadModelTables, distinctTables, type ReadModelTable } from './read-model-tables.js';

const PROJECTION = Symbol.for('nestjs-dynamodb-event-store:projection');
const HANDLERS = Symbol.for('nestjs-dynamodb-event-store:projection-handlers');

export type PoisonPolicy = 'stop' | 'continue';

export interface ProjectionOptions {
  /** Most changesets applied per commit. Default 100. */
  readonly batchSize?: number;
  /** Attempts at one failing changeset before it is parked. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt (capped at 5 s). Default 100. */
  readonly retryDelayMs?: number;
  /** After parking: `'stop'` waits at the parked changeset until `retryParked`; `'continue'` moves on. Default `'stop'`. */
  readonly onPoison?: PoisonPolicy;
  /**
   * The DynamoDB tables it writes, declared so that `createTables: true` creates them and start-up otherwise
   * checks them (`MissingTablesError`); names get `dynamodb.tablePrefix`. Default: none (tables are yours).
   */
  readonly tables?: readonly ReadModelTable[];
}

export interface ProjectionDefinition extends Required<ProjectionOptions> {
  readonly name: string;
  readonly handlers: ReadonlyArray<{ readonly eventClass: EventClass; readonly method: string | symbol }>;
}

/** Declares a projection: a Nest provider whose `@HandlesEvent` methods apply feed events in order. */
export function Projection(name: string, options: ProjectionOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:-]{1,200}$/.test(name)) {
    throw new TypeError(`@Projection() needs a name of 1-200 letters, digits, "_", ".", ":" or "-"; got ${String(name)}`);
  }
  checkReadModelTables(name, options.tables ?? []);
  return (target) => {
    Reflect.defineMetadata(PROJECTION, { name, options }, target);
  };
}

/** Marks a projection method as the handler of these event classes: `(event, context) => void | Promise<void>`. */
export function HandlesEvent(...eventClasses: EventClass[]): MethodDecorator {
  return (target, method) => {
    const list = (Reflect.getOwnMetadata(HANDLERS, target.constructor) as ProjectionDefinition['handlers'] | undefined) ?? [];
    Reflect.defineMetadata(HANDLERS, [...list, ...eventClasses.map((eventClass) => ({ eventClass, method }))], target.constructor);
  };
}

export function projectionDefinition(projectionClass: Function): ProjectionDefinition {
  const meta = Reflect.getOwnMetadata(PROJECTION, projectionClass) as { name: string; options: ProjectionOptions } | undefined;
  if (!meta) throw new TypeError(`${projectionClass.name} is not decorated with @Projection(name)`);
  const handlers = (Reflect.getOwnMetadata(HANDLERS, projectionClass) as ProjectionDefinition['handlers'] | undefined) ?? [];
  return {
    name: meta.name,
    batchSize: meta.options.batchSize ?? 100,
    maxAttempts: meta.options.maxAttempts ?? 5,
    retryDelayMs: meta.options.retryDelayMs ?? 100,
    onPoison: meta.options.onPoison ?? 'stop',
    tables: meta.options.tables ?? [],
    handlers,
  };
}

/** Whether `value` is a class decorated with `@Projection` (the deploy CLI picks these out of a module's exports). */
export function isProjectionClass(value: unknown): value is Function {
  return typeof value === 'function' && Reflect.hasOwnMetadata(PROJECTION, value);
}

/** The read-model tables these projections declare, each once (a table two of them declare differently throws). */
export function declaredTables(projectionClasses: readonly Function[]): ReadModelTable[] {
  return distinctTables(projectionClasses.map((c) => projectionDefinition(c)).map((d) => ({ projection: d.name, tables: d.tables })));
}
