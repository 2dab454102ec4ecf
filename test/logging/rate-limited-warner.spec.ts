import { MAX_FAILURE_PAUSE_MS, RateLimitedWarner, WARNING_INTERVAL_MS } from '../../lib/logging/rate-limited-warner.js';

function setup(intervalMs = WARNING_INTERVAL_MS) {
  let now = 1_000_000;
  const warnings: string[] = [];
  const warner = new RateLimitedWarner((message) => warnings.push(message), intervalMs, () => now);
  return { warner, warnings, advance: (ms: number) => (now += ms) };
}

describe('RateLimitedWarner: warnings that repeat (a failing snapshot store)', () => {
  it('passes one warning per kind per interval and reports how many it held back', () => {
    const { warner, warnings, advance } = setup(1_000);
    warner.warn('write', 'w1');
    warner.warn('write', 'w2');
    warner.warn('read', 'r1');
    advance(999);
    warner.warn('write', 'w3');
    advance(1);
    warner.warn('write', 'w4');
    expect(warnings).toEqual(['w1', 'r1', 'w4 (2 more like it since the last one were not logged)']);
  });

  it('drops warnings without a sink, and still paces the steps', () => {
    const warner = new RateLimitedWarner(undefined);
    warner.warn('write', 'nowhere');
    expect(warner.stepFailed('sequencer', new Error('down'), 20)).toBe(40);
  });
});

describe('RateLimitedWarner: a background loop whose steps keep failing', () => {
  it('warns on the first failure, then at most once per interval with the count it left out', () => {
    const { warner, warnings, advance } = setup();
    const pauses: number[] = [];
    for (let i = 0; i < 40; i++) {
      pauses.push(warner.stepFailed('sequencer', new Error('ECONNREFUSED'), 20));
      advance(pauses.at(-1)!);
    }
    // 40 failures over about 70 s of backed-off pauses: the first, then one per 10 s.
    const elapsed = pauses.reduce((sum, pause) => sum + pause, 0);
    expect(warnings[0]).toBe('sequencer step failed: Error: ECONNREFUSED');
    expect(warnings.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / WARNING_INTERVAL_MS));
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings[1]).toMatch(/^sequencer step failed: Error: ECONNREFUSED \(\d+ more like it since the last one were not logged\)$/);
    // The pause doubles from the idle interval and stops at the cap.
    expect(pauses.slice(0, 4)).toEqual([40, 80, 160, 320]);
    expect(Math.max(...pauses)).toBe(MAX_FAILURE_PAUSE_MS);
  });

  it('says once that it works again, and starts over from a short pause and an immediate warning', () => {
    const { warner, warnings } = setup();
    warner.stepFailed('sequencer', new Error('down'), 20);
    warner.stepFailed('sequencer', new Error('down'), 20);
    warner.stepSucceeded('sequencer');
    warner.stepSucceeded('sequencer');
    expect(warnings).toEqual(['sequencer step failed: Error: down', 'sequencer works again after 2 failed steps']);
    expect(warner.stepFailed('sequencer', new Error('again'), 20)).toBe(40);
    expect(warnings.at(-1)).toBe('sequencer step failed: Error: again');
  });

  it('keeps a single transient failure to one warning and no recovery line', () => {
    const { warner, warnings } = setup();
    warner.stepFailed('sequencer', new Error('throttled'), 20);
    warner.stepSucceeded('sequencer');
    expect(warnings).toEqual(['sequencer step failed: Error: throttled']);
  });

  it('counts the loops of one warner apart', () => {
    const { warner, warnings } = setup();
    warner.stepFailed('projection a', new Error('down'), 20);
    expect(warner.stepFailed('projection b', new Error('down'), 20)).toBe(40);
    expect(warnings).toEqual(['projection a step failed: Error: down', 'projection b step failed: Error: down']);
  });
});
