/**
 * Runs `task` on every item, at most `concurrency` at a time, in item order. Rejects with the first error a
 * task throws (tasks that must not stop the others catch their own errors).
 */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
