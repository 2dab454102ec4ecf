export { ATTR as TELEMETRY_ATTRIBUTES, traceLoad, traceProjectionStep, traceSave, traceSequencerStep } from './spans.js';
export { observeProjectionLag, type ProjectionLag } from './instruments.js';
