import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CommandBus, EventPublisher } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, decodeCommitToken, getRepositoryToken, NothingToSaveError, PublishBypassesStoreError } from '../../lib/index.js';
import { EventStoreRuntime, EVENT_STORE_RUNTIME } from '../../lib/store/index.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { waitForAsync } from '../module/support.js';
import { DockShip, DockShipTheOldWay, fleetModule, Ship, ShipDocked, ShipLog, ShipRefuelled } from './fleet.js';

describe('@nestjs/cqrs idioms on a store-managed aggregate (DynamoDB Local)', () => {
  const client = localDynamoDb();
  let app: INestApplication;
  let ships: AggregateRepository<Ship>;
  let publisher: EventPublisher;
  let log: ShipLog;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [fleetModule(client, uniquePrefix('fleet'))] }).compile();
    app = await moduleRef.createNestApplication().init();
    ships = app.get(getRepositoryToken(Ship));
    publisher = app.get(EventPublisher);
    log = app.get(ShipLog);
  });
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  async function stored(id: string): Promise<{ types: string[]; versions: number[] }> {
    const types: string[] = [];
    const versions: number[] = [];
    for await (const changeset of readStream(id)) {
      types.push(...changeset.events.map((event) => event.type));
      for (let v = changeset.fromVersion; v <= changeset.toVersion; v++) versions.push(v);
    }
    return { types, versions };
  }

  function readStream(id: string) {
    return app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).store.readStream({ aggregateType: 'Ship', aggregateId: id });
  }

  /** The saga's refuel follows the docking: wait until it is stored. */
  async function untilStored(id: string, count: number): Promise<void> {
    await waitForAsync(async () => (await stored(id)).types.length >= count, 20_000);
  }

  describe('the mistaken idiom fails loudly, stores and publishes nothing, and a later save stores everything', () => {
    const cases: Array<[string, (ship: Ship) => void]> = [
      ['mergeObjectContext + commit()', (ship) => {
        publisher.mergeObjectContext(ship);
        ship.dockAt('oslo');
        ship.commit();
      }],
      ['commit() without the merge', (ship) => {
        ship.dockAt('oslo');
        ship.commit();
      }],
      ['publishAll() through the merge', (ship) => {
        publisher.mergeObjectContext(ship).dockAt('oslo');
        ship.publishAll([...ship.getUncommittedEvents()]);
      }],
    ];
    for (const [name, mistake] of cases) {
      it(name, async () => {
        const ship = new Ship(randomUUID());
        const error = (() => {
          try {
            mistake(ship);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(PublishBypassesStoreError);
        expect(error).toMatchObject({ code: 'PUBLISH_BYPASSES_STORE', aggregateType: 'Ship', aggregateId: ship.id });
        expect((error as Error).message).toMatch(/repository\.save\(aggregate\)/);
        expect(ship.getUncommittedEvents()).toHaveLength(1);
        expect(log.of(ship.id)).toEqual([]);
        expect((await stored(ship.id)).types).toEqual([]);

        const result = await ships.save(ship);
        expect(result).toMatchObject({ version: 1, committed: true });
        await untilStored(ship.id, 2);
        expect(await stored(ship.id)).toEqual({ types: ['fleet.ship-docked', 'fleet.ship-refuelled'], versions: [1, 2] });
        expect(log.of(ship.id).map((e) => e.constructor)).toEqual([ShipDocked, ShipRefuelled]);
        expect(await ships.load(ship.id)).toMatchObject({ dockings: 1, refuellings: 1 });
      });
    }

    it('autoCommit: turning it on throws; a save refuses an aggregate that has it on', async () => {
      const ship = new Ship(randomUUID());
      ship.dockAt('bergen');
      expect(() => {
        ship.autoCommit = true;
      }).toThrow(PublishBypassesStoreError);
      expect(ship.autoCommit).toBe(false);
      // A class field `autoCommit = true` defines an own property, past the accessor.
      const forced = new Ship(randomUUID());
      Object.defineProperty(forced, 'autoCommit', { value: true, writable: true });
      expect(() => forced.dockAt('bergen')).toThrow(PublishBypassesStoreError);
      await expect(ships.save(forced)).rejects.toMatchObject({ code: 'PUBLISH_BYPASSES_STORE', aggregateId: forced.id });
      expect(log.of(forced.id)).toEqual([]);
      expect((await stored(forced.id)).types).toEqual([]);

      await expect(ships.save(ship)).resolves.toMatchObject({ version: 1, committed: true });
      await untilStored(ship.id, 2);
      expect((await stored(ship.id)).versions).toEqual([1, 2]);
    });

    it('mergeClassContext: commit() throws, and save() refuses the merged class', async () => {
      const Merged = publisher.mergeClassContext(Ship);
      const ship = new Merged(randomUUID());
      ship.dockAt('tromso');
      expect(() => ship.commit()).toThrow(PublishBypassesStoreError);
      await expect(ships.save(ship)).rejects.toBeInstanceOf(PublishBypassesStoreError);
      expect(log.of(ship.id)).toEqual([]);
      expect((await stored(ship.id)).types).toEqual([]);
    });

    it('through the CommandBus: a handler that merges and commits rejects the command, and nothing is stored', async () => {
      const id = randomUUID();
      await expect(app.get(CommandBus).execute(new DockShipTheOldWay(id, 'kiel'))).rejects.toBeInstanceOf(PublishBypassesStoreError);
      expect(log.of(id)).toEqual([]);
      expect((await stored(id)).types).toEqual([]);
    });
  });

  describe('a save with nothing new says so', () => {
    it('a new aggregate with no events throws NothingToSaveError', async () => {
      const ship = new Ship(randomUUID());
      const error = await ships.save(ship).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NothingToSaveError);
      expect((error as Error).message).toMatch(/commit\(\) or autoCommit/);
    });

    it('a loaded aggregate returns its current commit with committed: false and a real token', async () => {
      const id = randomUUID();
      const first = await app.get(CommandBus).execute<DockShip, { changesetId: string }>(new DockShip(id, 'riga'));
      await untilStored(id, 2);
      const ship = await ships.load(id);
      const result = await ships.save(ship);
      expect(result).toMatchObject({ version: 2, fromVersion: 2, seq: 2, committed: false });
      expect(result.changesetId).not.toBe(first.changesetId);
      expect(result.committedAt).not.toBe('');
      expect(decodeCommitToken(result.token)).toEqual({ aggregateType: 'Ship', aggregateId: id, version: 2 });
    });
  });

  describe('the right idiom: save() only', () => {
    it('stores every event, and the saga’s follow-up command stores its own', async () => {
      const id = randomUUID();
      const result = await app.get(CommandBus).execute(new DockShip(id, 'gdansk'));
      expect(result).toMatchObject({ version: 1, committed: true });
      await untilStored(id, 2);
      expect(await stored(id)).toEqual({ types: ['fleet.ship-docked', 'fleet.ship-refuelled'], versions: [1, 2] });
    });

    it('under 20 concurrent commands on one ship, every docking and every refuel is stored once', async () => {
      const id = randomUUID();
      const commands = app.get(CommandBus);
      const unhandledBefore = log.unhandled.length;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => commands.execute(new DockShip(id, `port-${i}`))));
      expect(results.every((r) => (r as { committed: boolean }).committed)).toBe(true);
      await untilStored(id, 40);
      const { types, versions } = await stored(id);
      expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(types.filter((t) => t === 'fleet.ship-docked')).toHaveLength(20);
      expect(types.filter((t) => t === 'fleet.ship-refuelled')).toHaveLength(20);
      expect(await ships.load(id)).toMatchObject({ dockings: 20, refuellings: 20 });
      expect(log.of(id)).toHaveLength(40);
      expect(log.unhandled.slice(unhandledBefore)).toEqual([]);
    });
  });
});
