/** Runs `op` from `concurrency` workers for `durationMs` and returns completed operations per second. */
export async function throughput(concurrency: number, durationMs: number, op: (worker: number, i: number) => Promise<unknown>, drain?: () => Promise<void>): Promise<number> {
  return (await measured(concurrency, durationMs, op, drain)).perSecond;
}

/** `throughput`, and this process's CPU (user + system) per completed operation, in ms. */
export async function measured(
  concurrency: number,
  durationMs: number,
  op: (worker: number, i: number) => Promise<unknown>,
  drain?: () => Promise<void>,
): Promise<{ perSecond: number; cpuMsPerOp: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(worker, i);
        done++;
      }
    }),
  );
  if (drain) await drain();
  const used = process.cpuUsage(cpu);
  return { perSecond: done / ((performance.now() - started) / 1000), cpuMsPerOp: (used.user + used.system) / 1000 / Math.max(1, done) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
