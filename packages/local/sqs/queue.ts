import { randomUUID } from "node:crypto";
import { DeadlineHeap } from "./deadline-heap.ts";
import { invalidParameter, SqsError } from "./errors.ts";
import type { MessageAttributes } from "./message-attributes.ts";
import { MAX_VISIBILITY_TIMEOUT, type QueueSettings } from "./queue-attributes.ts";
import { newReceiptHandle } from "./receipt-handle.ts";

/**
 * One queue's state machine, standard or FIFO. A message is
 *   delayed  → visible          when its delay ends,
 *   visible  → in flight        when a receive takes it (new receipt handle,
 *                               receive count + 1), or → the dead-letter queue
 *                               when that receive would exceed maxReceiveCount,
 *   in flight → visible         when its visibility timeout ends,
 *   any      → gone             when deleted, purged or past retention.
 * All time is real time in ms; one timer, set for the earliest deadline in a
 * heap, moves messages on, and every operation first applies what is due, so
 * results are exact to the millisecond even when the timer fires late.
 *
 * A FIFO queue also keeps each message group in send order: a receive hands
 * out a group's messages only from its first one that is not deleted, and
 * none of a group while one of its messages is in flight (or delayed). A send
 * whose deduplication id was seen in the last 5 minutes is accepted and not
 * stored. Messages carry a sequence number.
 */

type MessageState = "delayed" | "visible" | "inflight" | "gone";

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: MessageAttributes | undefined;
  readonly systemAttributes: MessageAttributes | undefined;
  readonly md5OfBody: string;
  readonly md5OfSystemAttributes: string | undefined;
  /** ms epoch of the original send; retention counts from it, also in a dead-letter queue. */
  readonly sentTimestamp: number;
  readonly senderId: string;
  readonly messageGroupId: string | undefined;
  /** FIFO: the id duplicates are recognised by (given, or the body's SHA-256). */
  readonly deduplicationId: string | undefined;
  /** FIFO: the message's place in the queue, a 20-digit decimal string. */
  readonly sequenceNumber: string | undefined;
  /** Body + attribute bytes, what the message counts towards payload limits and billing. */
  readonly size: number;
  /** Set when the message was moved here by a redrive policy. */
  readonly deadLetterQueueSourceArn: string | undefined;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  state: MessageState;
  /** While delayed or in flight: when it becomes visible (ms epoch). */
  visibleAt: number;
  /** When the current receive happened: visibility can be extended to 12 h past it. */
  receivedAt: number;
  /** The handle of the latest receive; only it deletes the message. */
  receiptHandle: string | undefined;
  wakeToken: number;
  expireToken: number;
}

/** What a send stores; the queue adds identity, timing and state. */
export interface NewMessage {
  body: string;
  attributes: MessageAttributes | undefined;
  systemAttributes: MessageAttributes | undefined;
  md5OfBody: string;
  md5OfSystemAttributes: string | undefined;
  senderId: string;
  messageGroupId: string | undefined;
  /** FIFO queues: required (the action layer derives it from the body under content-based deduplication). */
  deduplicationId: string | undefined;
  size: number;
  /** Overrides the queue's DelaySeconds. */
  delaySeconds: number | undefined;
}

/** What a send reports: the message's id (a duplicate's: the original's) and, on FIFO queues, its sequence number. */
export interface SentMessage {
  id: string;
  sequenceNumber: string | undefined;
}

/** One message handed to a receiver, as it was at that receive. */
export interface Delivery {
  message: StoredMessage;
  receiptHandle: string;
  receiveCount: number;
  firstReceiveTimestamp: number;
}

export interface ReceiveOptions {
  maxNumberOfMessages: number;
  /** Seconds the received messages stay hidden; the queue's VisibilityTimeout when undefined. */
  visibilityTimeout: number | undefined;
  /** Long-poll wait in seconds; 0 returns at once. */
  waitTimeSeconds: number;
  /** Ends a pending long poll early with no messages (the client went away). */
  signal?: AbortSignal;
  /** FIFO: a retried receive with the same id within 5 minutes gets the same messages again. */
  receiveRequestAttemptId?: string | undefined;
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
/** How long a FIFO queue remembers deduplication ids and receive attempt ids. */
const DEDUPLICATION_MS = 5 * 60_000;
/** Where sequence numbers start: AWS's are 20-digit decimals. */
const FIRST_SEQUENCE = 10_000_000_000_000_000_000n;
/** setTimeout's largest delay; later deadlines are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Queue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  /** Seconds since the epoch, as GetQueueAttributes reports it. */
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  settings: QueueSettings;
  readonly tags = new Map<string, string>();

  readonly #findDeadLetterQueue: DeadLetterLookup;
  readonly #messages = new Map<string, StoredMessage>();
  /** Visible messages in delivery order (a Map keeps insertion order and deletes in O(1)). */
  readonly #visible = new Map<string, StoredMessage>();
  #inflight = 0;
  #delayed = 0;
  readonly #heap = new DeadlineHeap<HeapEntry>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  /** Pending long polls, oldest first: the first waiter gets the next messages. */
  readonly #waiters = new Set<Waiter>();
  #tokens = 0;
  #closed = false;
  #sequence = FIRST_SEQUENCE;
  /** FIFO: deduplication key → the message first sent with it, oldest first. */
  readonly #sentIds = new Map<string, SentMessage & { at: number }>();
  /** FIFO: receive attempt id → what that receive handed out, oldest first. */
  readonly #attempts = new Map<string, { at: number; deliveries: Delivery[] }>();

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

  get fifo(): boolean {
    return this.settings.FifoQueue === true;
  }

  send(input: NewMessage, now: number): SentMessage {
    this.#advance(now);
    let dedupKey: string | undefined;
    if (this.fifo) {
      forgetOlder(this.#sentIds, now - DEDUPLICATION_MS);
      dedupKey =
        this.settings.DeduplicationScope === "messageGroup"
          ? `${input.messageGroupId}\n${input.deduplicationId}`
          : input.deduplicationId;
      const sent = this.#sentIds.get(dedupKey!);
      if (sent !== undefined) return { id: sent.id, sequenceNumber: sent.sequenceNumber };
    }
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
      deduplicationId: this.fifo ? input.deduplicationId : undefined,
      sequenceNumber: this.fifo ? this.#nextSequence() : undefined,
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
    if (dedupKey !== undefined) {
      this.#sentIds.set(dedupKey, { id: message.id, sequenceNumber: message.sequenceNumber, at: now });
    }
    this.#store(message, delaySeconds * 1000, now);
    return { id: message.id, sequenceNumber: message.sequenceNumber };
  }

  /**
   * Takes up to MaxNumberOfMessages visible messages; with a wait and none
   * available, resolves as soon as one becomes visible (sent, delay over,
   * visibility expired) or with none when the wait ends.
   */
  receive(options: ReceiveOptions, now: number): Promise<Delivery[]> {
    this.#advance(now);
    const attemptId = this.fifo ? options.receiveRequestAttemptId : undefined;
    if (attemptId !== undefined) {
      forgetOlder(this.#attempts, now - DEDUPLICATION_MS);
      const earlier = this.#attempts.get(attemptId);
      if (earlier !== undefined) {
        // The same messages, while that receive still holds them (not deleted, not received since).
        return Promise.resolve(
          earlier.deliveries.filter(
            (d) => d.message.state === "inflight" && d.message.receiptHandle === d.receiptHandle,
          ),
        );
      }
      return this.#receive(options, now).then((deliveries) => {
        if (deliveries.length > 0) this.#attempts.set(attemptId, { at: now, deliveries });
        return deliveries;
      });
    }
    return this.#receive(options, now);
  }

  #receive(options: ReceiveOptions, now: number): Promise<Delivery[]> {
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
    // In a FIFO queue the group's next message may now go to a waiting long poll.
    if (this.fifo) this.#dispatch(now);
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

  /**
   * Takes the visible messages `accept` approves out of the queue (a message
   * move task moving them elsewhere). In-flight and delayed messages stay.
   */
  drainVisible(now: number, accept: (message: StoredMessage) => boolean): StoredMessage[] {
    this.#advance(now);
    const drained = [...this.#visible.values()].filter(accept);
    for (const message of drained) this.#remove(message);
    return drained;
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
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
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
    if (this.fifo) {
      // In send order; a group whose earliest message is not visible waits for it.
      const waiting = new Set<string | undefined>();
      for (const message of [...this.#messages.values()]) {
        if (deliveries.length >= options.maxNumberOfMessages) break;
        if (waiting.has(message.messageGroupId)) continue;
        if (message.state !== "visible") {
          waiting.add(message.messageGroupId);
          continue;
        }
        const delivery = this.#deliver(message, visibilityMs, stillVisible, now);
        if (delivery !== undefined) deliveries.push(delivery);
      }
    } else {
      for (const message of this.#visible.values()) {
        if (deliveries.length >= options.maxNumberOfMessages) break;
        const delivery = this.#deliver(message, visibilityMs, stillVisible, now);
        if (delivery !== undefined) deliveries.push(delivery);
      }
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
    for (let entry = this.#heap.peek(); entry !== undefined && entry.at <= now; entry = this.#heap.peek()) {
      this.#heap.pop();
      const { message } = entry;
      if (entry.kind === "expire") {
        if (message.state !== "gone" && message.expireToken === entry.token) {
          this.#remove(message);
          // A FIFO group waiting on it goes on.
          woke ||= this.fifo;
        }
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
    this.#armTimer();
  }

  #push(entry: HeapEntry): void {
    this.#heap.push(entry);
    // Stale entries (deleted messages, superseded deadlines) pile up under heavy
    // traffic; rebuild once they clearly outnumber the live ones.
    if (this.#heap.size > 4 * this.#messages.size + 1024) this.#rebuildHeap();
    if (entry.at < this.#timerAt) this.#armTimer();
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
    this.#heap.rebuild(entries);
    this.#armTimer();
  }

  #armTimer(): void {
    const next = this.#heap.peek();
    const at = next?.at ?? Number.POSITIVE_INFINITY;
    if (at === this.#timerAt || this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (next === undefined) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#advance(Date.now());
    }, delay);
    // The HTTP server keeps the process alive while it listens; a queue timer alone must not.
    this.#timer.unref();
  }

  #nextToken(): number {
    this.#tokens += 1;
    return this.#tokens;
  }

  #nextSequence(): string {
    this.#sequence += 1n;
    return this.#sequence.toString();
  }
}

/** Drops the entries recorded before `before` from a map kept in recording order. */
function forgetOlder<V extends { at: number }>(records: Map<string, V>, before: number): void {
  for (const [key, record] of records) {
    if (record.at >= before) return;
    records.delete(key);
  }
}
