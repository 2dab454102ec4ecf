import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Aggregate, type AggregateRepository, ConcurrencyError, EventStoreModule, EventType, InjectRepository, InvalidAggregateIdError } from '../../lib/index.js';

@EventType('vault.deposited')
class VaultDeposited {
  constructor(readonly amount: number) {}
}

/** The id is private, as in many `@nestjs/cqrs` examples: it must compile against forFeature and the repository. */
@Aggregate({ type: 'Vault', events: [VaultDeposited] })
class Vault extends AggregateRoot {
  private total = 0;
  constructor(private readonly id: string) {
    super();
  }
  deposit(amount: number): void {
    this.apply(new VaultDeposited(amount));
  }
  onVaultDeposited(event: VaultDeposited): void {
    this.total += event.amount;
  }
  get balance(): number {
    return this.total;
  }
  describe(): string {
    return `${this.id}: ${this.total}`;
  }
}

/** A class that keeps its id under another name: a save says what is wrong. */
@Aggregate({ type: 'Nameless', events: [VaultDeposited] })
class Nameless extends AggregateRoot {
  constructor(readonly key: string) {
    super();
  }
}

@Injectable()
class Vaults {
  constructor(
    @InjectRepository(Vault) readonly repository: AggregateRepository<Vault>,
    @InjectRepository(Nameless) readonly nameless: AggregateRepository<Nameless>,
  ) {}
}

describe('aggregates with a private id, and loadOrCreate', () => {
  async function boot() {
    @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true, feed: { enabled: false } }), EventStoreModule.forFeature([Vault, Nameless])], providers: [Vaults] })
    class AppModule {}
    return (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
  }

  it('saves and loads an aggregate whose id is private', async () => {
    const app = await boot();
    try {
      const vaults = app.get(Vaults).repository;
      const id = randomUUID();
      const vault = new Vault(id);
      vault.deposit(5);
      await expect(vaults.save(vault)).resolves.toMatchObject({ aggregateType: 'Vault', aggregateId: id, version: 1 });
      expect((await vaults.load(id)).describe()).toBe(`${id}: 5`);
    } finally {
      await app.close();
    }
  });

  it('loadOrCreate gives a new instance for an unknown id and the stored one after', async () => {
    const app = await boot();
    try {
      const vaults = app.get(Vaults).repository;
      const id = randomUUID();
      const fresh = await vaults.loadOrCreate(id);
      expect(fresh).toBeInstanceOf(Vault);
      expect(vaults.versionOf(fresh)).toBe(0);
      fresh.deposit(3);
      await vaults.save(fresh);
      const again = await vaults.loadOrCreate(id);
      expect(again.balance).toBe(3);
      expect(vaults.versionOf(again)).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('two commands creating one id through loadOrCreate cannot both commit', async () => {
    const app = await boot();
    try {
      const vaults = app.get(Vaults).repository;
      const id = randomUUID();
      const [a, b] = await Promise.all([vaults.loadOrCreate(id), vaults.loadOrCreate(id)]);
      a.deposit(1);
      b.deposit(2);
      await vaults.save(a);
      await expect(vaults.save(b)).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await vaults.load(id)).balance).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('a class without an `id` property fails the save with InvalidAggregateIdError', async () => {
    const app = await boot();
    try {
      const nameless = new Nameless('k1');
      nameless.apply(new VaultDeposited(1));
      await expect(app.get(Vaults).nameless.save(nameless)).rejects.toBeInstanceOf(InvalidAggregateIdError);
    } finally {
      await app.close();
    }
  });
});
