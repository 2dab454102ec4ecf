import { declaredTables, Projection } from '../../lib/projections/projection.decorator.js';
import { tableResolver } from '../../lib/projections/read-model-tables.js';

describe('read-model tables declared on @Projection', () => {
  it('refuses a declaration that could not be created, naming the projection and the table', () => {
    expect(() => Projection('p', { tables: [{ name: 'v', key: {} }] })).toThrow(/@Projection\("p"\): read-model table "v" needs key to name exactly one attribute/);
    expect(() => Projection('p', { tables: [{ name: 'v', key: { pk: 'X' as 'S' } }] })).toThrow(/the type must be 'S', 'N' or 'B'/);
    expect(() => Projection('p', { tables: [{ name: 'v', key: { pk: 'S' } }, { name: 'v', key: { pk: 'S' } }] })).toThrow(/declared twice/);
    expect(() => Projection('p', { tables: [{ name: 'v', key: { pk: 'S' }, indexes: [{ name: 'by-pk', key: { pk: 'N' } }] }] })).toThrow(/two key types/);
    expect(() => Projection('p', { tables: [{ name: 'a b', key: { pk: 'S' } }] })).toThrow(/needs a name/);
  });

  it('lets projections share a table declared the same way, and refuses two layouts of one table', () => {
    @Projection('one', { tables: [{ name: 'views', key: { pk: 'S' } }] })
    class One {}
    @Projection('two', { tables: [{ name: 'views', key: { pk: 'S' } }] })
    class Two {}
    @Projection('three', { tables: [{ name: 'views', key: { id: 'S' } }] })
    class Three {}
    expect(declaredTables([One, Two])).toEqual([{ name: 'views', key: { pk: 'S' } }]);
    expect(() => declaredTables([One, Three])).toThrow(/Projections "one" and "three" declare read-model table "views" with different keys or indexes/);
  });

  it('resolves a declared name to its prefixed table, and leaves any other name as given', () => {
    const resolve = tableResolver([{ name: 'views', key: { pk: 'S' } }], 'app-');
    expect(resolve('views')).toBe('app-views');
    expect(resolve('app-views')).toBe('app-views');
    expect(resolve('other')).toBe('other');
  });
});
