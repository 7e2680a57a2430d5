import { invalidParameter, queueDoesNotExist, SqsError } from "./errors.ts";
import { Queue } from "./queue.ts";
import { fifoUnsupported, type QueueSettings } from "./queue-attributes.ts";

/**
 * The queues of one account in one region, found by name, URL or ARN. URLs
 * are AWS's path form on the server's own origin
 * (`http://127.0.0.1:PORT/000000000000/name`); any origin is accepted when
 * looking one up, so the AWS hostname form resolves to the same queue.
 */
export interface RegistryOptions {
  /** The server's origin, `http://host:port`. */
  baseUrl: string;
  region: string;
  accountId: string;
}

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class QueueRegistry {
  readonly #options: RegistryOptions;
  readonly #queues = new Map<string, Queue>();

  constructor(options: RegistryOptions) {
    this.#options = options;
  }

  get accountId(): string {
    return this.#options.accountId;
  }

  urlFor(name: string): string {
    return `${this.#options.baseUrl}/${this.#options.accountId}/${name}`;
  }

  arnFor(name: string): string {
    return `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:${name}`;
  }

  get(name: string): Queue | undefined {
    return this.#queues.get(name);
  }

  /** The queue a QueueUrl names; QueueDoesNotExist when there is none. */
  byUrl(queueUrl: string): Queue {
    let path: string;
    try {
      path = new URL(queueUrl).pathname;
    } catch {
      throw new SqsError("InvalidAddress", `The address ${queueUrl} is not valid for this endpoint.`);
    }
    const segments = path.split("/").filter((segment) => segment !== "");
    const name = segments.at(-1);
    const account = segments.at(-2);
    if (name === undefined) {
      throw new SqsError("InvalidAddress", `The address ${queueUrl} is not valid for this endpoint.`);
    }
    if (account !== undefined && account !== this.#options.accountId) throw queueDoesNotExist();
    const queue = this.#queues.get(decodeURIComponent(name));
    if (queue === undefined) throw queueDoesNotExist();
    return queue;
  }

  byArn(arn: string): Queue | undefined {
    const prefix = this.arnFor("");
    if (!arn.startsWith(prefix)) return undefined;
    return this.#queues.get(arn.slice(prefix.length));
  }

  /** Queues sorted by name, so listings are stable. */
  list(): Queue[] {
    return [...this.#queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  create(name: string, settings: QueueSettings, now: number): Queue {
    const queue = new Queue({
      name,
      arn: this.arnFor(name),
      url: this.urlFor(name),
      settings,
      findDeadLetterQueue: (arn) => this.byArn(arn),
      now,
    });
    this.#queues.set(name, queue);
    return queue;
  }

  /** Removes the queue at once (AWS takes up to 60 s) and ends its pending polls. */
  delete(queue: Queue): void {
    if (this.#queues.get(queue.name) === queue) this.#queues.delete(queue.name);
    queue.close();
  }

  closeAll(): void {
    for (const queue of this.#queues.values()) queue.close();
  }
}

/**
 * Checks a CreateQueue name against AWS's rules for standard queues. A FIFO
 * queue (FifoQueue "true") is refused first, so its .fifo name is not blamed.
 */
export function checkQueueName(name: string, fifoAttribute: string | undefined): void {
  if (fifoAttribute === "true") throw fifoUnsupported();
  if (!STANDARD_NAME.test(name)) {
    const reason = name.endsWith(".fifo")
      ? "Only FIFO queue names can end with .fifo, and this server keeps standard queues only."
      : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.";
    throw invalidParameter("QueueName", name, reason);
  }
}
