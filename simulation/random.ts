/**
 * A small seeded pseudo-random generator (mulberry32) and the few distributions the simulation
 * draws from. Same seed, same sequence, on every machine: no Math.random anywhere in the simulation.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponentially distributed with this mean (the waiting time of a memoryless process). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** How many events of a Poisson process with this mean happen (Knuth's method; fine for small means). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** One value, drawn with the given weights. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** `k` distinct items of `items`, drawn with each item's weight. */
  sampleWeighted<T>(items: readonly T[], weight: (item: T) => number, k: number): T[] {
    const left = [...items];
    const out: T[] = [];
    while (out.length < k && left.length) {
      const picked = this.weighted(left.map((item, i) => [i, weight(item)] as const));
      out.push(left.splice(picked, 1)[0]!);
    }
    return out;
  }

  /** A new, independent generator derived from this one (so one stream's use never shifts another's). */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}
