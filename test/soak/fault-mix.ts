import type { FaultProxy, FaultRule } from '../support/faults/index.js';

/**
 * The seeded mix of faults on one node's proxy. `rate` is the share of all requests faulted by the general
 * rules; transactions and the reads inside sequencer and projection steps (GetRecords, Query) get extra ones
 * on top. A cancellation lists `None` for the lease check and `ThrottlingError` for the next item: the
 * storage's fault, which must be retried, never blamed on a changeset.
 */
export function installFaultMix(proxy: FaultProxy, rate: number, active: () => boolean): void {
  const where = () => active();
  const rules: Array<Omit<FaultRule, 'where' | 'rate'> & { readonly share: number }> = [
    { operation: 'TransactWriteItems', share: 0.3, fault: { kind: 'conflict' } },
    { operation: 'TransactWriteItems', share: 0.2, fault: { kind: 'cancel', reasons: ['None', 'ThrottlingError'] } },
    { operation: /^(GetRecords|Query)$/, share: 0.3, fault: { kind: 'http500' } },
    { share: 0.25, fault: { kind: 'throttle' } },
    { share: 0.1, fault: { kind: 'throttle', code: 'ProvisionedThroughputExceededException' } },
    { share: 0.15, fault: { kind: 'http500' } },
    { share: 0.2, fault: { kind: 'drop-response' } },
    { share: 0.1, fault: { kind: 'fail-before' } },
    { share: 0.2, fault: { kind: 'delay', ms: 40 } },
  ];
  for (const { share, ...rule } of rules) proxy.addRule({ ...rule, rate: rate * share, where });
}
