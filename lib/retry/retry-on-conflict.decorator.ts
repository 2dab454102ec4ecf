import 'reflect-metadata';
import { type RetryOnConflictOptions, retryOnConflict } from './retry-on-conflict.js';

/**
 * Method decorator: the whole method runs again when it fails with a `ConcurrencyError`, as
 * `retryOnConflict` does. Put it on a command handler's `execute`, which must load, decide and save inside
 * (never reuse an aggregate loaded before the call). The method must return a promise.
 */
export function RetryOnConflict(options: RetryOnConflictOptions = {}): MethodDecorator {
  return (_target, key, descriptor) => {
    const method = descriptor.value as unknown;
    if (typeof method !== 'function') throw new TypeError(`@RetryOnConflict() goes on a method; ${String(key)} is not one`);
    const wrapped = function (this: unknown, ...args: unknown[]) {
      return retryOnConflict(() => Promise.resolve((method as (...a: unknown[]) => unknown).apply(this, args)), options);
    };
    Object.defineProperty(wrapped, 'name', { value: (method as { name: string }).name });
    // Decorators applied before this one (Nest's route and handler metadata) stored theirs on the original.
    for (const metadataKey of Reflect.getOwnMetadataKeys(method as object)) {
      Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, method as object), wrapped);
    }
    (descriptor as PropertyDescriptor).value = wrapped;
    return descriptor;
  };
}
