import { Projection } from '../../lib/projections/projection.decorator.js';

/** A module as a user's app would have one: projections that declare their read-model tables (the CLI imports it). */
@Projection('deploy-views', {
  tables: [{ name: 'deploy-views', key: { pk: 'S' }, sortKey: { at: 'N' }, indexes: [{ name: 'by-author', key: { authorId: 'S' }, sortKey: { at: 'N' } }] }],
})
export class DeployViews {}

/** Shares the table with `DeployViews`, declared the same way, and adds one of its own. */
@Projection('deploy-counters', {
  tables: [
    { name: 'deploy-views', key: { pk: 'S' }, sortKey: { at: 'N' }, indexes: [{ name: 'by-author', key: { authorId: 'S' }, sortKey: { at: 'N' } }] },
    { name: 'deploy-counters', key: { id: 'S' } },
  ],
})
export class DeployCounters {}

export const notAProjection = 42;
