/**
 * The simulation's future events: a binary min-heap on (time, insertion order), so two events
 * due at the same instant run in the order they were scheduled and a seeded run repeats
 * exactly. Hand-written (about 40 lines) rather than a dependency: package.json has no heap.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(time: number, item: T): void {
    const seq = this.seq++;
    // Sift up by moving parents down into the hole, then fill it once.
    let i = this.items.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const tp = this.times[parent]!;
      if (tp < time || (tp === time && this.seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, time, seq, item);
  }

  /** The earliest event's time (Infinity when empty). */
  peekTime(): number {
    return this.items.length ? this.times[0]! : Infinity;
  }

  pop(): T | undefined {
    const n = this.items.length - 1;
    if (n < 0) return undefined;
    const top = this.items[0]!;
    const time = this.times.pop()!;
    const seq = this.seqs.pop()!;
    const item = this.items.pop()!;
    if (n === 0) return top;
    // Sift the last element down from the root by moving the earlier child up into the hole.
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(c + 1, c)) c++;
      const tc = this.times[c]!;
      if (time < tc || (time === tc && seq < this.seqs[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.put(i, time, seq, item);
    return top;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.items[to] = this.items[from]!;
  }

  private put(i: number, time: number, seq: number, item: T): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.items[i] = item;
  }
}
