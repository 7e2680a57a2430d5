import { randomUUID } from "node:crypto";
import { DeadlineTimer } from "./deadline-heap.ts";
import { invalidParameter, SqsError } from "./errors.ts";
import { MAX_VISIBILITY_TIMEOUT, type QueueSettings } from "./queue-attributes.ts";
import { newReceiptHandle } from "./receipt-handle.ts";
import type { Delivery, NewMessage, StoredMessage } from "./stored-message.ts";

/**
 * One standard queue's state machine. A message is
 *   delayed  → visible          when its delay ends,
 *   visible  → in flight        when a receive takes it (new receipt handle,
 *                               receive count + 1), or → the dead-letter queue
 *                               when that receive would exceed maxReceiveCount,
 *   in flight → visible         when its visibility timeout ends,
 *   any      → gone             when deleted, purged or past retention.
 * All time is real time in ms; one timer, set for the earliest deadline in a
 * heap, moves messages on, and every operation first applies what is due, so
 * results are exact to the millisecond even when the timer fires late.
 */

export interface ReceiveOptions {
  maxNumberOfMessages: number;
  /** Seconds the received messages stay hidden; the queue's VisibilityTimeout when undefined. */
  visibilityTimeout: number | undefined;
  /** Long-poll wait in seconds; 0 returns at once. */
  waitTimeSeconds: number;
  /** Ends a pending long poll early with no messages (the client went away). */
  signal?: AbortSignal;
}

export interface QueueCounts {
  visible: number;
  inflight: number;
  delayed: number;
}

interface HeapEntry {
  readonly at: number;
  readonly kind: "wake" | "expire";
  readonly token: number;
  readonly message: StoredMessage;
}

interface Waiter {
  readonly options: ReceiveOptions;
  readonly resolve: (deliveries: Delivery[]) => void;
  timer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
}

/** Finds a dead-letter queue by ARN when a redrive moves a message; undefined if it is gone. */
export type DeadLetterLookup = (arn: string) => Queue | undefined;

/** AWS's cap on in-flight messages of a standard queue; receives beyond it fail with OverLimit. */
const MAX_INFLIGHT = 120_000;

export class Queue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  /** Seconds since the epoch, as GetQueueAttributes reports it. */
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  settings: QueueSettings;

  readonly #findDeadLetterQueue: DeadLetterLookup;
  readonly #messages = new Map<string, StoredMessage>();
  /** Visible messages in delivery order (a Map keeps insertion order and deletes in O(1)). */
  readonly #visible = new Map<string, StoredMessage>();
  #inflight = 0;
  #delayed = 0;
  readonly #deadlines = new DeadlineTimer<HeapEntry>(() => this.#advance(Date.now()));
  /** Pending long polls, oldest first: the first waiter gets the next messages. */
  readonly #waiters = new Set<Waiter>();
  #tokens = 0;
  #closed = false;

  constructor(init: {
    name: string;
    arn: string;
    url: string;
    settings: QueueSettings;
    findDeadLetterQueue: DeadLetterLookup;
    now: number;
  }) {
    this.name = init.name;
    this.arn = init.arn;
    this.url = init.url;
    this.settings = init.settings;
    this.#findDeadLetterQueue = init.findDeadLetterQueue;
    this.createdTimestamp = Math.floor(init.now / 1000);
    this.lastModifiedTimestamp = this.createdTimestamp;
  }

  counts(now: number): QueueCounts {
    this.#advance(now);
    return { visible: this.#visible.size, inflight: this.#inflight, delayed: this.#delayed };
  }

  /** Applies changed settings. Only retention acts on stored messages; delays and timeouts apply to later sends and receives, as on AWS. */
  updateSettings(changes: Partial<QueueSettings>, now: number): void {
    const retentionChanged =
      changes.MessageRetentionPeriod !== undefined &&
      changes.MessageRetentionPeriod !== this.settings.MessageRetentionPeriod;
    this.settings = { ...this.settings, ...changes };
    this.lastModifiedTimestamp = Math.floor(now / 1000);
    if (retentionChanged) {
      for (const message of this.#messages.values()) message.expireToken = this.#nextToken();
      this.#rebuildHeap();
    }
    this.#advance(now);
  }

  /** Stores a new message and returns its id. */
  send(input: NewMessage, now: number): string {
    this.#advance(now);
    const delaySeconds = input.delaySeconds ?? this.settings.DelaySeconds;
    const message: StoredMessage = {
      id: randomUUID(),
      body: input.body,
      attributes: input.attributes,
      systemAttributes: input.systemAttributes,
      md5OfBody: input.md5OfBody,
      md5OfSystemAttributes: input.md5OfSystemAttributes,
      sentTimestamp: now,
      senderId: input.senderId,
      messageGroupId: input.messageGroupId,
      size: input.size,
      deadLetterQueueSourceArn: undefined,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      state: "visible",
      visibleAt: now,
      receivedAt: 0,
      receiptHandle: undefined,
      wakeToken: 0,
      expireToken: 0,
    };
    this.#store(message, delaySeconds * 1000, now);
    return message.id;
  }

  /**
   * Takes up to MaxNumberOfMessages visible messages; with a wait and none
   * available, resolves as soon as one becomes visible (sent, delay over,
   * visibility expired) or with none when the wait ends.
   */
  receive(options: ReceiveOptions, now: number): Promise<Delivery[]> {
    this.#advance(now);
    if (this.#inflight >= MAX_INFLIGHT) {
      throw new SqsError(
        "OverLimit",
        `The queue ${this.name} has ${this.#inflight} messages in flight, the most a standard queue allows.`,
      );
    }
    const deliveries = this.#take(options, now);
    if (deliveries.length > 0 || options.waitTimeSeconds <= 0 || this.#closed || options.signal?.aborted) {
      return Promise.resolve(deliveries);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = { options, resolve, timer: undefined, onAbort: undefined };
      waiter.timer = setTimeout(() => this.#endWait(waiter, []), options.waitTimeSeconds * 1000);
      if (options.signal !== undefined) {
        waiter.onAbort = () => this.#endWait(waiter, []);
        options.signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.add(waiter);
    });
  }

  /**
   * Deletes the message when `receiptHandle` is its latest; a stale handle
   * (message deleted, or received again since) changes nothing, as on AWS.
   */
  delete(messageId: string, receiptHandle: string, now: number): void {
    this.#advance(now);
    const message = this.#messages.get(messageId);
    if (message === undefined || message.receiptHandle !== receiptHandle) return;
    this.#remove(message);
  }

  changeVisibility(messageId: string, receiptHandle: string, seconds: number, now: number): void {
    this.#advance(now);
    const message = this.#messages.get(messageId);
    if (message === undefined || message.receiptHandle !== receiptHandle) {
      throw invalidParameter(
        "ReceiptHandle",
        receiptHandle,
        "Message does not exist or is not available for visibility timeout change.",
      );
    }
    if (message.state !== "inflight") {
      throw new SqsError("MessageNotInflight", `Message ${message.id} is not in flight.`);
    }
    // Whole seconds, as AWS counts them: 43200 right after the receive is allowed.
    const elapsedSeconds = Math.floor((now - message.receivedAt) / 1000);
    if (elapsedSeconds + seconds > MAX_VISIBILITY_TIMEOUT) {
      throw invalidParameter(
        "VisibilityTimeout",
        seconds,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT} seconds].`,
      );
    }
    this.#inflight -= 1;
    this.#schedule(message, "inflight", seconds * 1000, now);
    this.#dispatch(now);
  }

  /** Deletes every message at once (AWS may take up to 60 s to finish a purge). */
  purge(now: number): void {
    this.#advance(now);
    for (const message of this.#messages.values()) message.state = "gone";
    this.#messages.clear();
    this.#visible.clear();
    this.#inflight = 0;
    this.#delayed = 0;
    this.#rebuildHeap();
  }

  /** Accepts a message moved from another queue's redrive: visible at once, same id, body, attributes, SentTimestamp. */
  adopt(moved: StoredMessage, sourceArn: string, now: number): void {
    this.#advance(now);
    // Retention counts from the original send, so a moved message may already be due.
    if (moved.sentTimestamp + this.settings.MessageRetentionPeriod * 1000 <= now) return;
    const message: StoredMessage = {
      ...moved,
      deadLetterQueueSourceArn: sourceArn,
      state: "visible",
      receiptHandle: undefined,
      wakeToken: 0,
      expireToken: 0,
    };
    this.#store(message, 0, now);
  }

  /** Ends pending polls with no messages and stops the timer (DeleteQueue, server close). */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) this.#endWait(waiter, []);
    this.#deadlines.stop();
  }

  #store(message: StoredMessage, delayMs: number, now: number): void {
    this.#messages.set(message.id, message);
    message.expireToken = this.#nextToken();
    this.#push({
      at: message.sentTimestamp + this.settings.MessageRetentionPeriod * 1000,
      kind: "expire",
      token: message.expireToken,
      message,
    });
    this.#schedule(message, "delayed", delayMs, now);
    this.#dispatch(now);
  }

  /** Makes the message visible now, or hides it (`state` delayed or in flight) until `delayMs` from now. */
  #schedule(message: StoredMessage, state: "delayed" | "inflight", delayMs: number, now: number): void {
    message.wakeToken = this.#nextToken();
    if (delayMs <= 0) {
      message.state = "visible";
      this.#visible.set(message.id, message);
      return;
    }
    message.state = state;
    message.visibleAt = now + delayMs;
    if (state === "inflight") this.#inflight += 1;
    else this.#delayed += 1;
    this.#push({ at: message.visibleAt, kind: "wake", token: message.wakeToken, message });
  }

  #take(options: ReceiveOptions, now: number): Delivery[] {
    const deliveries: Delivery[] = [];
    if (this.#visible.size === 0) return deliveries;
    const visibilityMs = (options.visibilityTimeout ?? this.settings.VisibilityTimeout) * 1000;
    const stillVisible: StoredMessage[] = [];
    for (const message of this.#visible.values()) {
      if (deliveries.length >= options.maxNumberOfMessages) break;
      const delivery = this.#deliver(message, visibilityMs, stillVisible, now);
      if (delivery !== undefined) deliveries.push(delivery);
    }
    // Re-added after the loop: a Map visits entries added while iterating it.
    for (const message of stillVisible) this.#visible.set(message.id, message);
    return deliveries;
  }

  /**
   * Hands a visible message to a receive, or moves it to the dead-letter queue when this receive
   * would exceed the redrive policy's maxReceiveCount (then undefined).
   */
  #deliver(
    message: StoredMessage,
    visibilityMs: number,
    stillVisible: StoredMessage[],
    now: number,
  ): Delivery | undefined {
    this.#visible.delete(message.id);
    const redrive = this.settings.RedrivePolicy;
    if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
      const deadLetterQueue = this.#findDeadLetterQueue(redrive.deadLetterTargetArn);
      if (deadLetterQueue !== undefined && deadLetterQueue !== this) {
        this.#remove(message);
        deadLetterQueue.adopt(message, this.arn, now);
        return undefined;
      }
    }
    message.receiveCount += 1;
    message.firstReceiveTimestamp ??= now;
    message.receivedAt = now;
    message.receiptHandle = newReceiptHandle(this.name, message.id);
    if (visibilityMs > 0) this.#schedule(message, "inflight", visibilityMs, now);
    else stillVisible.push(message);
    return {
      message,
      receiptHandle: message.receiptHandle,
      receiveCount: message.receiveCount,
      firstReceiveTimestamp: message.firstReceiveTimestamp,
    };
  }

  #remove(message: StoredMessage): void {
    if (message.state === "inflight") this.#inflight -= 1;
    else if (message.state === "delayed") this.#delayed -= 1;
    else if (message.state === "visible") this.#visible.delete(message.id);
    message.state = "gone";
    this.#messages.delete(message.id);
  }

  /** Hands visible messages to waiting long polls, oldest waiter first. */
  #dispatch(now: number): void {
    for (const waiter of this.#waiters) {
      if (this.#visible.size === 0) return;
      const deliveries = this.#take(waiter.options, now);
      // All candidates may have gone to the dead-letter queue; the waiter keeps waiting.
      if (deliveries.length > 0) this.#endWait(waiter, deliveries);
    }
  }

  #endWait(waiter: Waiter, deliveries: Delivery[]): void {
    if (!this.#waiters.delete(waiter)) return;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.options.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve(deliveries);
  }

  /** Applies every deadline up to `now`, then sets the timer for the next one. */
  #advance(now: number): void {
    let woke = false;
    for (let entry = this.#deadlines.popDue(now); entry !== undefined; entry = this.#deadlines.popDue(now)) {
      const { message } = entry;
      if (entry.kind === "expire") {
        if (message.state !== "gone" && message.expireToken === entry.token) this.#remove(message);
      } else if (
        message.wakeToken === entry.token &&
        message.state !== "visible" &&
        message.state !== "gone"
      ) {
        if (message.state === "inflight") this.#inflight -= 1;
        else this.#delayed -= 1;
        message.state = "visible";
        this.#visible.set(message.id, message);
        woke = true;
      }
    }
    if (woke) this.#dispatch(now);
    this.#deadlines.arm();
  }

  #push(entry: HeapEntry): void {
    this.#deadlines.push(entry);
    // Stale entries (deleted messages, superseded deadlines) pile up under heavy
    // traffic; rebuild once they clearly outnumber the live ones.
    if (this.#deadlines.size > 4 * this.#messages.size + 1024) this.#rebuildHeap();
  }

  #rebuildHeap(): void {
    const entries: HeapEntry[] = [];
    const retentionMs = this.settings.MessageRetentionPeriod * 1000;
    for (const message of this.#messages.values()) {
      entries.push({
        at: message.sentTimestamp + retentionMs,
        kind: "expire",
        token: message.expireToken,
        message,
      });
      if (message.state === "delayed" || message.state === "inflight") {
        entries.push({ at: message.visibleAt, kind: "wake", token: message.wakeToken, message });
      }
    }
    this.#deadlines.rebuild(entries);
  }

  #nextToken(): number {
    this.#tokens += 1;
    return this.#tokens;
  }
}
