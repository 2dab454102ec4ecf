import { FAILURE_WARNING_INTERVAL_MS, MAX_FAILURE_PAUSE_MS, StepFailures } from '../../lib/feed/step-failures.js';

describe('StepFailures (a background loop whose steps keep failing)', () => {
  function setup() {
    let now = 1_000_000;
    const warnings: string[] = [];
    const failures = new StepFailures('sequencer', (message) => warnings.push(message), 20, () => now);
    return { failures, warnings, advance: (ms: number) => (now += ms) };
  }

  it('warns on the first failure, then at most once per interval with the count it left out', () => {
    const { failures, warnings, advance } = setup();
    const pauses: number[] = [];
    for (let i = 0; i < 40; i++) {
      pauses.push(failures.failed(new Error('ECONNREFUSED')));
      advance(pauses.at(-1)!);
    }
    // 40 failures over about 70 s of backed-off pauses: the first, then one per 10 s.
    const elapsed = pauses.reduce((sum, pause) => sum + pause, 0);
    expect(warnings[0]).toBe('sequencer step failed: Error: ECONNREFUSED');
    expect(warnings.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / FAILURE_WARNING_INTERVAL_MS));
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings[1]).toMatch(/^sequencer step failed \(\d+ more failures since the last warning\): Error: ECONNREFUSED$/);
    // The pause doubles from the idle interval and stops at the cap.
    expect(pauses.slice(0, 4)).toEqual([40, 80, 160, 320]);
    expect(Math.max(...pauses)).toBe(MAX_FAILURE_PAUSE_MS);
  });

  it('says once that it works again, and starts over from a short pause and an immediate warning', () => {
    const { failures, warnings } = setup();
    failures.failed(new Error('down'));
    failures.failed(new Error('down'));
    failures.succeeded();
    failures.succeeded();
    expect(warnings).toEqual(['sequencer step failed: Error: down', 'sequencer works again after 2 failed steps']);
    expect(failures.failed(new Error('again'))).toBe(40);
    expect(warnings.at(-1)).toBe('sequencer step failed: Error: again');
  });

  it('keeps a single transient failure to one warning and no recovery line', () => {
    const { failures, warnings } = setup();
    failures.failed(new Error('throttled'));
    failures.succeeded();
    expect(warnings).toEqual(['sequencer step failed: Error: throttled']);
  });
});
