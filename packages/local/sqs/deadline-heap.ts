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

/** setTimeout's largest delay; later deadlines are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A DeadlineHeap and the one timer set for its earliest deadline. When the
 * timer fires, `onDue` runs: the owner takes what is due with popDue and calls
 * arm() for the next deadline. The timer is unref'd: the HTTP server keeps the
 * process alive while it listens, a queue's timer alone must not.
 */
export class DeadlineTimer<T extends Deadline> {
  readonly #heap = new DeadlineHeap<T>();
  readonly #onDue: () => void;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(onDue: () => void) {
    this.#onDue = onDue;
  }

  get size(): number {
    return this.#heap.size;
  }

  push(entry: T): void {
    this.#heap.push(entry);
    if (entry.at < this.#timerAt) this.arm();
  }

  /** Replaces the entries (to drop stale ones) and re-arms. */
  rebuild(entries: T[]): void {
    this.#heap.rebuild(entries);
    this.arm();
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): T | undefined {
    const next = this.#heap.peek();
    if (next === undefined || next.at > now) return undefined;
    return this.#heap.pop();
  }

  /** Sets the timer for the earliest deadline, unless it is set for it already. */
  arm(): void {
    const at = this.#heap.peek()?.at ?? Number.POSITIVE_INFINITY;
    if (at === this.#timerAt || this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#onDue();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
    );
    this.#timer.unref();
  }

  /** Clears the timer for good (the queue is closed). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}
