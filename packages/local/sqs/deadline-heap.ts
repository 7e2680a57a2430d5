/**
 * A binary min-heap of deadlines (ms epoch). A queue keeps one, so one timer
 * set for the earliest deadline drives every delay, visibility timeout and
 * expiry, however many messages there are. Entries are never removed from the
 * middle: an entry whose message moved on is skipped when it surfaces (the
 * owner checks it is still current), and the owner rebuilds the heap when such
 * stale entries outnumber the live ones.
 */
export interface Deadline {
  readonly at: number;
}

export class DeadlineHeap<T extends Deadline> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.at <= item.at) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    const length = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && items[right]!.at < items[left]!.at ? right : left;
      if (items[child]!.at >= last.at) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;
    return top;
  }

  /** Replaces the contents with `items` (used to drop stale entries). */
  rebuild(items: T[]): void {
    this.#items = [];
    for (const item of items) this.push(item);
  }
}
