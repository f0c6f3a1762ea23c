import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '@app/database';
import { AppendResult, EventEntity, EventStore, EventStreamEntity, NewEvent } from '@app/eventstore';
import { startTestApp, TestApp } from './support/test-app';

class IntendedRollback extends Error {}

describe('the event store', () => {
  let t: TestApp;
  let store: EventStore;
  let transactions: TransactionRunner;

  beforeAll(async () => {
    t = await startTestApp();
    store = t.app.get(EventStore);
    transactions = t.app.get(TransactionRunner);
  });
  afterAll(() => t.close());

  /** A fresh aggregate, so tests do not share streams. */
  const newAggregate = (): string => `test-aggregate-${randomUUID()}`;

  /** `count` events tagged with the writer that appended them. */
  const eventsFor = (writer: number, count: number): NewEvent[] =>
    Array.from({ length: count }, (_, index) => ({ type: 'test.appended', payload: { writer, index } }));

  /** Appends in a transaction of its own; with `rollback`, throws after appending so the transaction is undone. */
  function appendInTransaction(aggregateId: string, events: NewEvent[], rollback = false): Promise<AppendResult> {
    return transactions.run(async (tx) => {
      const result = await store.append(tx, { aggregateType: 'test', aggregateId, resourceOwner: 'org-1', creator: 'tester' }, events);
      if (rollback) throw new IntendedRollback();
      return result;
    });
  }

  /** Sequences of the aggregate as stored, in order. */
  async function storedSequences(aggregateId: string): Promise<number[]> {
    return (await store.eventsOf(aggregateId)).map((event) => event.sequence);
  }

  const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

  it('numbers the events of 48 parallel transactions on one aggregate exactly 1..n, without gap or duplicate, each append contiguous', async () => {
    const aggregateId = newAggregate();
    const counts = Array.from({ length: 48 }, (_, writer) => (writer % 3) + 1);
    const results = await Promise.all(counts.map((count, writer) => appendInTransaction(aggregateId, eventsFor(writer, count))));

    const total = counts.reduce((a, b) => a + b, 0);
    const stored = await store.eventsOf(aggregateId);
    expect(stored.map((event) => event.sequence)).toEqual(oneTo(total));

    // Every transaction got the block of sequences its result names, its events in order.
    results.forEach((result, writer) => {
      const first = result.sequence - counts[writer] + 1;
      const block = stored.slice(first - 1, result.sequence);
      expect(block.map((event) => event.payload)).toEqual(eventsFor(writer, counts[writer]).map((event) => event.payload));
    });
    const streams = await t.dataSource.getRepository(EventStreamEntity).findBy({ aggregateId });
    expect(streams.map((stream) => stream.sequence)).toEqual([String(total)]);
  });

  it('leaves no gap after a rolled-back transaction: the next append continues the sequence', async () => {
    const aggregateId = newAggregate();
    expect((await appendInTransaction(aggregateId, eventsFor(1, 2))).sequence).toBe(2);

    await expect(appendInTransaction(aggregateId, eventsFor(2, 3), true)).rejects.toBeInstanceOf(IntendedRollback);
    expect(await storedSequences(aggregateId)).toEqual([1, 2]);

    expect((await appendInTransaction(aggregateId, eventsFor(3, 1))).sequence).toBe(3);
    const stored = await store.eventsOf(aggregateId);
    expect(stored.map((event) => [event.sequence, event.payload.writer])).toEqual([
      [1, 1],
      [2, 1],
      [3, 3],
    ]);
  });

  it('leaves no gap when the first transaction of a new aggregate rolls back', async () => {
    const aggregateId = newAggregate();
    await expect(appendInTransaction(aggregateId, eventsFor(1, 2), true)).rejects.toBeInstanceOf(IntendedRollback);
    expect(await t.dataSource.getRepository(EventStreamEntity).existsBy({ aggregateId })).toBe(false);
    expect((await appendInTransaction(aggregateId, eventsFor(2, 1))).sequence).toBe(1);
  });

  it('leaves no gap when parallel transactions on one aggregate partly roll back', async () => {
    const aggregateId = newAggregate();
    const writers = Array.from({ length: 40 }, (_, writer) => ({ writer, count: (writer % 3) + 1, rollback: writer % 4 === 0 }));
    const outcomes = await Promise.allSettled(
      writers.map(({ writer, count, rollback }) => appendInTransaction(aggregateId, eventsFor(writer, count), rollback)),
    );

    outcomes.forEach((outcome, i) => expect(outcome.status).toBe(writers[i].rollback ? 'rejected' : 'fulfilled'));
    const committed = writers.filter((w) => !w.rollback);
    const stored = await store.eventsOf(aggregateId);
    expect(stored.map((event) => event.sequence)).toEqual(oneTo(committed.reduce((sum, w) => sum + w.count, 0)));
    expect(new Set(stored.map((event) => event.payload.writer))).toEqual(new Set(committed.map((w) => w.writer)));
  });

  describe('the events table', () => {
    let aggregateId: string;

    beforeAll(async () => {
      aggregateId = newAggregate();
      await appendInTransaction(aggregateId, eventsFor(1, 2));
    });

    it('refuses UPDATE (append-only trigger) and keeps the row', async () => {
      const before = await store.eventsOf(aggregateId);
      await expect(t.dataSource.getRepository(EventEntity).update({ aggregateId }, { type: 'forged' })).rejects.toMatchObject({
        driverError: { code: '23001' },
        message: expect.stringContaining('append-only'),
      });
      expect(await store.eventsOf(aggregateId)).toEqual(before);
    });

    it('refuses DELETE (append-only trigger) and keeps the rows', async () => {
      const before = await store.eventsOf(aggregateId);
      await expect(t.dataSource.getRepository(EventEntity).delete({ aggregateId })).rejects.toMatchObject({
        driverError: { code: '23001' },
        message: expect.stringContaining('append-only'),
      });
      expect(await store.eventsOf(aggregateId)).toEqual(before);
    });

    it('has a unique (aggregate_id, sequence) constraint', async () => {
      // Raw: reads the catalog, which no entity maps (the drift test holds the entity's @Unique to it too).
      const constraints = await t.dataSource.query<{ name: string; definition: string }[]>(
        `SELECT conname AS name, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'u'`,
      );
      expect(constraints).toContainEqual({ name: 'events_aggregate_sequence_unique', definition: 'UNIQUE (aggregate_id, sequence)' });
    });

    it('refuses a second event with an existing (aggregate_id, sequence), even written around the event store', async () => {
      await expect(
        t.dataSource
          .getRepository(EventEntity)
          .insert({ aggregateType: 'test', aggregateId, sequence: '2', type: 'test.duplicate', creator: 'tester', resourceOwner: 'org-1' }),
      ).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'events_aggregate_sequence_unique' } });
      expect(await storedSequences(aggregateId)).toEqual([1, 2]);
    });
  });
});
