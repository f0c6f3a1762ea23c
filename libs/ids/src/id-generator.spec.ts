import { IdGenerator } from './id-generator';

const INT64_MAX = (1n << 63n) - 1n;

/** Asserts that the ids are numeric, unique and strictly increasing in the order minted. */
function expectNumericIncreasing(ids: string[]): void {
  expect(ids.find((id) => !/^[1-9]\d*$/.test(id))).toBeUndefined();
  for (let i = 1; i < ids.length; i++) {
    if (BigInt(ids[i]) <= BigInt(ids[i - 1])) throw new Error(`id ${i} (${ids[i]}) does not exceed id ${i - 1} (${ids[i - 1]})`);
  }
  expect(new Set(ids).size).toBe(ids.length);
}

describe('IdGenerator', () => {
  afterEach(() => jest.useRealTimers());

  it('mints 100,000 unique numeric ids, each greater than the one before, that fit a signed 64-bit integer', () => {
    const generator = new IdGenerator();
    const ids = Array.from({ length: 100_000 }, () => generator.next());
    expectNumericIncreasing(ids);
    expect(BigInt(ids[ids.length - 1])).toBeLessThanOrEqual(INT64_MAX);
  });

  it('never lets two generators with different nodes collide, even minting in the same millisecond', () => {
    jest.useFakeTimers({ now: new Date('2025-06-01T12:00:00.000Z') }); // the clock stands still
    const generators = [new IdGenerator(0n), new IdGenerator(1n), new IdGenerator(65_535n)];
    const perGenerator = generators.map(() => [] as string[]);
    for (let i = 0; i < 1000; i++) generators.forEach((generator, g) => perGenerator[g].push(generator.next()));
    perGenerator.forEach(expectNumericIncreasing);
    const all = perGenerator.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('never lets two generators with different nodes collide in real time', () => {
    const a = new IdGenerator(7n);
    const b = new IdGenerator(8n);
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) ids.push(a.next(), b.next());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps ids increasing when the clock steps back', () => {
    jest.useFakeTimers({ now: new Date('2025-06-01T12:00:00.000Z') });
    const generator = new IdGenerator(3n);
    const before = Array.from({ length: 10 }, () => generator.next());
    jest.setSystemTime(new Date('2025-06-01T11:59:00.000Z'));
    const after = Array.from({ length: 10 }, () => generator.next());
    expectNumericIncreasing([...before, ...after]);
  });

  it('orders ids by time across milliseconds', () => {
    jest.useFakeTimers({ now: new Date('2025-06-01T12:00:00.000Z') });
    const generator = new IdGenerator(65_535n);
    const earlier = generator.next();
    jest.setSystemTime(new Date('2025-06-01T12:00:00.001Z'));
    const later = new IdGenerator(0n).next(); // another node, a smaller node number, one millisecond later
    expect(BigInt(later)).toBeGreaterThan(BigInt(earlier));
  });
});
