import { readFileSync } from 'node:fs';
import { findDescendant } from '../../bench/http/proc-cpu.js';
import { DYNAMODB_LOCAL_JVM_OPTIONS, startLocalServices } from '../../sample-app/embedded/local-services.js';

/** The command line of DynamoDB Local's `java` process, started by this test process. */
function javaArgs(): string[] {
  const pid = findDescendant(process.pid, 'java');
  if (pid === undefined) throw new Error('no java child');
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('sample app: the embedded DynamoDB Local', () => {
  it('runs with the default JVM flags, or the given ones, before -jar', async () => {
    for (const [options, expected] of [
      [undefined, DYNAMODB_LOCAL_JVM_OPTIONS],
      [['-XX:+UseSerialGC', '-Dbench.mark=1'], ['-XX:+UseSerialGC', '-Dbench.mark=1']],
    ] as const) {
      const services = await startLocalServices(options ? { jvmOptions: options } : {});
      try {
        const args = javaArgs();
        const jar = args.indexOf('-jar');
        expect(args.slice(1, jar).filter((arg) => !arg.startsWith('-Djava.library.path='))).toEqual([...expected]);
        expect(args.slice(jar)).toEqual(expect.arrayContaining(['-inMemory', '-sharedDb']));
      } finally {
        await services.stop();
      }
    }
  }, 120_000);
});
