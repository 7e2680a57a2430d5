import { toDelaySeconds } from "./backoff.ts";
import type { FetchDeps, FetchInput, FetchReport, Retry } from "./fetch-types.ts";
import type { FetchMessage, FetchTicker, ScoreMessage, TickerOutcome } from "./messages.ts";

type HandOffReport = Pick<FetchReport, "failedIds" | "handoffErrors" | "requeued" | "outcomes">;

/**
 * Hands a batch's results on, both queues at once: one score message per input with outcomes,
 * and what is left of each input back to the fetch queue, one message per delay. An input
 * whose messages could not all be sent is reported failed, so SQS brings it back (the pipeline
 * counts a ticker once however often it arrives).
 */
export async function handOff(
  inputs: readonly FetchInput[],
  outcomes: ReadonlyMap<FetchInput, readonly TickerOutcome[]>,
  retries: ReadonlyMap<FetchInput, readonly Retry[]>,
  queues: Pick<FetchDeps, "scoreQueue" | "fetchQueue">,
): Promise<HandOffReport> {
  const report: HandOffReport = {
    failedIds: [],
    handoffErrors: [],
    requeued: 0,
    outcomes: { series: 0, failed: 0 },
  };
  const scoreMessages: { input: FetchInput; body: ScoreMessage }[] = [];
  const retryMessages: { input: FetchInput; body: FetchMessage; delaySeconds: number }[] = [];
  for (const input of inputs) {
    const list = outcomes.get(input) ?? [];
    for (const o of list) o.kind === "series" ? report.outcomes.series++ : report.outcomes.failed++;
    for (const part of scoreParts(list)) scoreMessages.push({ input, body: scoreMessage(input, part) });
    const byDelay = new Map<number, FetchTicker[]>();
    for (const r of retries.get(input) ?? []) {
      const seconds = toDelaySeconds(r.delayMs);
      byDelay.set(seconds, [...(byDelay.get(seconds) ?? []), r.ticker]);
      report.requeued++;
    }
    for (const [delaySeconds, tickers] of byDelay) {
      retryMessages.push({ input, body: { ...input.message, tickers }, delaySeconds });
    }
  }

  const failed = new Set<FetchInput>();
  const send = async (sent: Promise<void>, messages: readonly { input: FetchInput }[]) => {
    try {
      await sent;
    } catch (error) {
      report.handoffErrors.push((error as Error).message);
      for (const m of messages) failed.add(m.input);
    }
  };
  await Promise.all([
    send(queues.scoreQueue.send(scoreMessages.map((m) => ({ body: m.body }))), scoreMessages),
    send(
      queues.fetchQueue.send(retryMessages.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds }))),
      retryMessages,
    ),
  ]);
  report.failedIds = inputs.filter((i) => failed.has(i)).map((i) => i.id);
  return report;
}

/** Most characters of outcomes in one score message: SQS takes 256 KiB a message, the envelope included. */
export const MAX_SCORE_OUTCOME_CHARS = 200_000;

/**
 * A chunk's outcomes in parts that each fit a score message (a hundred two-year series can
 * exceed one): the scorer counts a chunk's tickers across however many messages bring them.
 */
export function scoreParts(outcomes: readonly TickerOutcome[]): TickerOutcome[][] {
  const parts: TickerOutcome[][] = [];
  let part: TickerOutcome[] = [];
  let chars = 0;
  for (const outcome of outcomes) {
    const size = JSON.stringify(outcome).length;
    if (part.length > 0 && chars + size > MAX_SCORE_OUTCOME_CHARS) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(outcome);
    chars += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function scoreMessage({ message }: FetchInput, outcomes: readonly TickerOutcome[]): ScoreMessage {
  return {
    v: 1,
    kind: "score",
    scanId: message.scanId,
    chunk: message.chunk,
    role: message.role,
    chunkSize: message.chunkSize,
    chunkCount: message.chunkCount,
    outcomes: [...outcomes],
  };
}
