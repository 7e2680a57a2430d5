import { describe, expect, it } from "vitest";
import { DeadlineHeap } from "./deadline-heap.ts";
import { md5OfBody } from "./md5.ts";
import { Queue } from "./queue.ts";
import { defaultSettings, type QueueSettings } from "./queue-attributes.ts";
import type { NewMessage } from "./stored-message.ts";

// Retention is at least 60 s through the API, too long for a test; the queue
// itself takes any period, so expiry is checked here on the real Queue class
// with real timers and a sub-second retention.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function newQueue(name: string, settings: Partial<QueueSettings>, others = new Map<string, Queue>()): Queue {
  const queue = new Queue({
    name,
    arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    url: `http://127.0.0.1:1/000000000000/${name}`,
    settings: { ...defaultSettings(), ...settings },
    findDeadLetterQueue: (arn) => others.get(arn),
    now: Date.now(),
  });
  others.set(queue.arn, queue);
  return queue;
}

function message(body: string): NewMessage {
  return {
    body,
    attributes: undefined,
    systemAttributes: undefined,
    md5OfBody: md5OfBody(body),
    md5OfSystemAttributes: undefined,
    senderId: "000000000000",
    messageGroupId: undefined,
    size: Buffer.byteLength(body),
    delaySeconds: undefined,
  };
}

const noWait = { maxNumberOfMessages: 10, visibilityTimeout: undefined, waitTimeSeconds: 0 };

describe("Queue retention", () => {
  it("drops visible and in-flight messages once MessageRetentionPeriod has passed since they were sent", async () => {
    const queue = newQueue("retained", { MessageRetentionPeriod: 0.3 });
    try {
      queue.send(message("stays visible"), Date.now());
      queue.send(message("goes in flight"), Date.now());
      await queue.receive({ ...noWait, maxNumberOfMessages: 1, visibilityTimeout: 60 }, Date.now());
      expect(queue.counts(Date.now())).toStrictEqual({ visible: 1, inflight: 1, delayed: 0 });

      await sleep(450);

      expect(queue.counts(Date.now())).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
      expect(await queue.receive(noWait, Date.now())).toStrictEqual([]);
    } finally {
      queue.close();
    }
  });

  it("counts a redriven message's retention from its original send, not from the move", async () => {
    const queues = new Map<string, Queue>();
    const deadLetters = newQueue("dead-letters", { MessageRetentionPeriod: 0.5 }, queues);
    const source = newQueue(
      "source",
      { RedrivePolicy: { deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 1 } },
      queues,
    );
    try {
      const sentAt = Date.now();
      source.send(message("poison"), sentAt);
      await source.receive({ ...noWait, visibilityTimeout: 0 }, Date.now());
      await sleep(300);
      expect(await source.receive(noWait, Date.now())).toStrictEqual([]);
      expect(deadLetters.counts(Date.now()).visible).toBe(1);

      // 0.5 s after the original send, not 0.5 s after the move at ~0.3 s.
      await sleep(Math.max(0, sentAt + 600 - Date.now()));

      expect(deadLetters.counts(Date.now())).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
    } finally {
      source.close();
      deadLetters.close();
    }
  });
});

describe("DeadlineHeap", () => {
  it("pops deadlines in ascending order whatever the order they were pushed in", () => {
    const heap = new DeadlineHeap<{ at: number }>();
    // A fixed pseudo-random sequence (LCG), so a failure reproduces.
    let seed = 12345;
    const values = Array.from({ length: 2000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 1000;
    });
    for (const at of values) heap.push({ at });

    const popped: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.at);

    expect(popped).toStrictEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });
});
