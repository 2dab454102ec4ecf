import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';

/** Runs one AWS call; any failure becomes a `StorageUnavailableError` naming the operation (and table). */
export async function call<R>(operation: string, send: () => Promise<R>): Promise<R> {
  try {
    return await send();
  } catch (error) {
    throw new StorageUnavailableError(operation, error);
  }
}
