import { randomInt } from 'node:crypto';

// 2024-01-01T00:00:00Z: ids stay 17-18 digits long for decades, like ZITADEL's.
const EPOCH_MS = 1_704_067_200_000n;
const NODE_BITS = 16n;
const COUNTER_BITS = 6n;
const COUNTER_MAX = (1n << COUNTER_BITS) - 1n;

/**
 * Numeric string ids (`69629023906488334`): milliseconds since 2024 (41 bits),
 * a node number drawn at random per process (16 bits) and a per-millisecond
 * counter (6 bits). Instances need no coordination: two collide only if they
 * draw the same node number (1 in 65,536) and then mint in the same
 * millisecond with the same counter; unique keys on every id column turn even
 * that into a refused write, never a merged record.
 */
export class IdGenerator {
  private lastMs = 0n;
  private counter = 0n;

  constructor(private readonly node: bigint = BigInt(randomInt(0, 1 << Number(NODE_BITS)))) {}

  /** Returns a new id, increasing within this process. */
  next(): string {
    let now = BigInt(Date.now()) - EPOCH_MS;
    if (now < this.lastMs) now = this.lastMs; // clock stepped back: keep ids increasing
    if (now === this.lastMs) {
      this.counter++;
      if (this.counter > COUNTER_MAX) {
        now = this.lastMs + 1n; // borrow the next millisecond rather than wait
        this.counter = 0n;
      }
    } else {
      this.counter = 0n;
    }
    this.lastMs = now;
    return ((now << (NODE_BITS + COUNTER_BITS)) | (this.node << COUNTER_BITS) | this.counter).toString();
  }
}
