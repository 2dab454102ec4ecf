import { AssertionError, deepStrictEqual } from 'node:assert';
import type { AggregateClass } from '../repository/aggregate.decorator.js';
import { EventStoreTestKit, type CommittedEvent, type EventStoreTestKitOptions } from './event-store-test-kit.js';

/** What a command did: its result or error, the events it committed and those it published. */
export interface ScenarioOutcome {
  readonly kit: EventStoreTestKit;
  /** What `when` resolved to (undefined when it threw). */
  readonly result: unknown;
  /** What `when` threw (undefined when it did not). */
  readonly error: unknown;
  /** Events committed by `when`, in commit order, across every aggregate. */
  readonly events: readonly CommittedEvent[];
  /** Events published by `when` (what the `EventBus` got). */
  readonly published: readonly object[];
}

type Action = (kit: EventStoreTestKit) => unknown;
interface CommandHandlerLike<C> {
  execute(command: C): unknown;
}
/** An error class, an error `code` (`'CONCURRENCY'`), or a predicate. */
export type ExpectedError = (abstract new (...args: never[]) => Error) | string | ((error: unknown) => boolean);

/**
 * Given these events, when this command, then these events or this error: a domain test with no services.
 * Build it with `scenario()`; nothing runs until `thenEvents` or `thenThrows` is awaited.
 */
export class Scenario {
  private readonly history: Array<{ aggregateClass: AggregateClass; id: string; events: readonly object[] }> = [];

  constructor(readonly kit: EventStoreTestKit) {}

  /** Past events of one aggregate, stored as one changeset before `when` runs (not published). Chain for more. */
  given(aggregateClass: AggregateClass, id: string, events: readonly object[]): this {
    this.history.push({ aggregateClass, id, events });
    return this;
  }

  /** The command: a handler and the command it executes, or a function using the kit's repositories. */
  when<C>(handler: CommandHandlerLike<C>, command: C): ScenarioExpectation;
  when(action: Action): ScenarioExpectation;
  when<C>(target: CommandHandlerLike<C> | Action, command?: C): ScenarioExpectation {
    const action: Action = typeof target === 'function' ? target : () => target.execute(command as C);
    return new ScenarioExpectation(() => this.run(action));
  }

  private async run(action: Action): Promise<ScenarioOutcome> {
    for (const { aggregateClass, id, events } of this.history) await this.kit.given(aggregateClass, id, events);
    const from = this.kit.commitCount;
    const publishedFrom = this.kit.published.length;
    let result: unknown;
    let error: unknown;
    try {
      result = await this.kit.run(() => action(this.kit));
    } catch (caught) {
      error = caught;
    }
    return { kit: this.kit, result, error, events: this.kit.committedSince(from), published: this.kit.published.slice(publishedFrom) };
  }
}

export class ScenarioExpectation {
  constructor(private readonly outcome: () => Promise<ScenarioOutcome>) {}

  /**
   * Then exactly these events were committed, in this order (compared by stored type name and JSON data,
   * as they would be stored). `[]`: nothing was committed. Fails if the command threw.
   */
  async thenEvents(expected: readonly object[]): Promise<ScenarioOutcome> {
    const outcome = await this.outcome();
    if (outcome.error !== undefined) {
      throw new AssertionError({ message: `Expected ${expected.length} event(s), but the command threw ${describeError(outcome.error)}`, actual: outcome.error });
    }
    const actual = outcome.events.map(({ event }) => outcome.kit.describe([event])[0]!);
    deepStrictEqual(actual, outcome.kit.describe(expected), 'The command committed other events than expected');
    return outcome;
  }

  /** Then the command failed with this error (a class, a `code`, or a predicate); resolves to the outcome. */
  async thenThrows(expected: ExpectedError): Promise<ScenarioOutcome> {
    const outcome = await this.outcome();
    const { error } = outcome;
    if (error === undefined) {
      const committed = outcome.events.map((e) => e.type).join(', ') || 'nothing';
      throw new AssertionError({ message: `Expected the command to throw, but it succeeded and committed ${committed}`, actual: outcome.result });
    }
    if (!matches(error, expected)) {
      throw new AssertionError({ message: `The command threw ${describeError(error)}, not the expected error`, actual: error, expected });
    }
    return outcome;
  }
}

function matches(error: unknown, expected: ExpectedError): boolean {
  if (typeof expected === 'string') return (error as { code?: unknown } | null)?.code === expected;
  if (expected.prototype instanceof Error || expected === Error) return error instanceof (expected as new () => Error);
  return (expected as (error: unknown) => boolean)(error);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Starts a given/when/then test on a fresh in-memory store. */
export function scenario(options: EventStoreTestKitOptions = {}): Scenario {
  return new Scenario(new EventStoreTestKit(options));
}
