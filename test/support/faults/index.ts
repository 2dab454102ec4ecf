export { dynamoDbProtocol, tableOfStreamArn } from './dynamodb-protocol.js';
export { FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.js';
export type { RuleHandle } from './rule-handle.js';
export { type FaultCounts, seededRandom } from './rules.js';
export { s3Protocol } from './s3-protocol.js';
export type { ErrorFault, Fault, FaultKind, FaultRule, Protocol, RequestInfo, RequestItem, WireResponse } from './types.js';
