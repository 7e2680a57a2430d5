/**
 * A least-recently-used map bounded by the summed size of its values (bytes,
 * as `sizeOf` tells): rendered bodies, whose sizes differ a hundredfold.
 * A value larger than the whole bound is not kept.
 */
export class SizedLru<K, V> {
  private readonly map = new Map<K, V>();
  private total = 0;
  constructor(
    readonly maxSize: number,
    private readonly sizeOf: (value: V) => number,
  ) {
    if (!(maxSize >= 0)) throw new RangeError(`LRU size bound must be at least 0, got ${maxSize}`);
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.maxSize) return;
    this.map.set(key, value);
    this.total += size;
    while (this.total > this.maxSize) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    this.total -= this.sizeOf(value);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** Summed size of the values held. */
  get totalSize(): number {
    return this.total;
  }
}

/** A least-recently-used map bounded by its number of entries: bounded memory for lazily generated data. */
export class Lru<K, V> extends SizedLru<K, V> {
  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LRU capacity must be at least 1, got ${capacity}`);
    super(capacity, () => 1);
  }

  getOrCreate(key: K, create: () => V): V {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    const value = create();
    this.set(key, value);
    return value;
  }
}
