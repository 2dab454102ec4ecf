import { seededRandom } from '../support/faults/index.js';

/** Seeded choices (the fault proxy's mulberry32): the same seed replays the same kill points and clap targets. */
export class Random {
  private readonly draw: () => number;

  constructor(readonly seed: number) {
    this.draw = seededRandom(seed);
  }

  /** In [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** The seed from `CRASH_SEED` when set (to replay a failure), a fresh one otherwise. */
export function seedFromEnv(): number {
  const raw = process.env['CRASH_SEED'];
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`CRASH_SEED must be a non-negative integer, got "${raw}"`);
  return seed;
}
