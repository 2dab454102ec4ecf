import { readdirSync, readFileSync } from 'node:fs';
import { DYNAMODB_LOCAL_JVM_OPTIONS, startLocalServices } from '../../sample-app/embedded/local-services.js';

/**
 * The command line of the `java` process serving `endpoint`'s port. Found by its `-port` argument rather than
 * as a child of this process: run in band, the suite's own global DynamoDB Local is a child too.
 */
function javaArgs(endpoint: string): string[] {
  const port = new URL(endpoint).port;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    const at = args.indexOf('-port');
    if (args[0]?.endsWith('java') && at > 0 && args[at + 1] === port) return args;
  }
  throw new Error(`no java process serves port ${port}`);
}

describe('sample app: the embedded DynamoDB Local', () => {
  it('runs with the default JVM flags, or the given ones, before -jar', async () => {
    for (const [options, expected] of [
      [undefined, DYNAMODB_LOCAL_JVM_OPTIONS],
      [['-XX:+UseSerialGC', '-Dbench.mark=1'], ['-XX:+UseSerialGC', '-Dbench.mark=1']],
    ] as const) {
      const services = await startLocalServices(options ? { jvmOptions: options } : {});
      try {
        const args = javaArgs(services.dynamodbEndpoint);
        const jar = args.indexOf('-jar');
        expect(args.slice(1, jar).filter((arg) => !arg.startsWith('-Djava.library.path='))).toEqual([...expected]);
        expect(args.slice(jar)).toEqual(expect.arrayContaining(['-inMemory', '-sharedDb']));
      } finally {
        await services.stop();
      }
    }
  }, 120_000);
});
