import { randomUUID } from "node:crypto";
import { Container, type ContainerOptions, type InvocationOutcome } from "./container.ts";

export interface FunctionStats {
  invocations: number;
  errors: number;
  timeouts: number;
  coldStarts: number;
  /** Sum of invocation durations. */
  durationMs: number;
  /** Lambda's billing unit: duration (rounded up to 1 ms) × configured memory. */
  gbSeconds: number;
  /** CPU time the containers' threads used, from the end of their init (Linux; 0 elsewhere). */
  cpuMs: number;
  /** Containers alive now. */
  containers: number;
  /** The most invocations that ran at the same time. */
  peakConcurrency: number;
}

export interface FunctionPoolOptions extends Omit<ContainerOptions, "log"> {
  /** The most containers (concurrent invocations) this function may have. @default 64 */
  maxContainers?: number;
  /** Idle containers are stopped after this long, freeing memory. @default 300_000 */
  idleMs?: number;
  log: (functionName: string, containerId: string, line: string) => void;
}

/**
 * The containers of one local Lambda function. Invocations reuse an idle warm
 * container when there is one and start a new one (cold start) otherwise, up to
 * `maxContainers`; beyond that they wait, as throttled invocations would.
 */
export class FunctionPool {
  private readonly idle: Container[] = [];
  private readonly all = new Set<Container>();
  private readonly waiting: Array<() => void> = [];
  private readonly idleTimers = new Map<Container, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  readonly stats: FunctionStats = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    coldStarts: 0,
    durationMs: 0,
    gbSeconds: 0,
    cpuMs: 0,
    containers: 0,
    peakConcurrency: 0,
  };

  constructor(private readonly options: FunctionPoolOptions) {}

  get name(): string {
    return this.options.functionName;
  }

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<InvocationOutcome> {
    if (this.stopped) throw new Error(`function ${this.name} is stopped`);
    const container = await this.acquire();
    this.running++;
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.running);
    try {
      const outcome = await container.invoke(event, requestId);
      this.record(outcome);
      // As Lambda writes a failed invocation's error to the function's log (a timeout, a crash,
      // memory exhausted), so that `local up --logs` shows why a message came back.
      if (!outcome.ok)
        this.options.log(
          this.options.functionName,
          container.id,
          `${requestId} ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
        );
      this.stats.cpuMs += container.takeCpuMs();
      return outcome;
    } finally {
      this.running--;
      this.release(container);
    }
  }

  private record(outcome: InvocationOutcome): void {
    const s = this.stats;
    s.invocations++;
    if (outcome.coldStart) s.coldStarts++;
    s.durationMs += outcome.durationMs;
    s.gbSeconds += (Math.max(1, Math.ceil(outcome.durationMs)) / 1000) * (this.options.memoryMB / 1024);
    if (!outcome.ok) {
      s.errors++;
      if (outcome.error.errorType === "Sandbox.Timedout") s.timeouts++;
    }
  }

  private async acquire(): Promise<Container> {
    for (;;) {
      while (this.idle.length > 0) {
        const container = this.idle.pop()!;
        clearTimeout(this.idleTimers.get(container));
        this.idleTimers.delete(container);
        if (container.alive) return container;
        this.forget(container);
      }
      if (this.all.size < (this.options.maxContainers ?? 64)) {
        return this.startContainer();
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.stopped) throw new Error(`function ${this.name} is stopped`);
    }
  }

  /** A new container (a cold start), counted in the pool. */
  private startContainer(): Container {
    const container = new Container({
      ...this.options,
      log: (line) => this.options.log(this.options.functionName, container.id, line),
    });
    this.all.add(container);
    this.stats.containers = this.all.size;
    return container;
  }

  private release(container: Container): void {
    if (!container.alive || this.stopped) {
      this.forget(container);
    } else {
      this.idle.push(container);
      const timer = setTimeout(() => {
        const i = this.idle.indexOf(container);
        if (i >= 0) this.idle.splice(i, 1);
        this.idleTimers.delete(container);
        this.forget(container);
        void container.stop();
      }, this.options.idleMs ?? 300_000);
      timer.unref();
      this.idleTimers.set(container, timer);
    }
    this.waiting.shift()?.();
  }

  private forget(container: Container): void {
    this.all.delete(container);
    this.stats.containers = this.all.size;
  }

  /**
   * Starts containers until `count` are warm, as Lambda's provisioned concurrency
   * keeps them: the next invocations skip the cold start.
   */
  async prewarm(count: number): Promise<void> {
    const target = Math.min(count, this.options.maxContainers ?? 64);
    const started: Container[] = [];
    while (this.all.size < target) {
      started.push(this.startContainer());
    }
    await Promise.all(started.map((c) => c.whenReady()));
    for (const container of started) this.release(container);
  }

  /** Kills every container that is running an invocation (fault injection for tests); returns how many. */
  killBusy(): number {
    let killed = 0;
    for (const container of this.all) {
      if (container.busy) {
        container.kill();
        killed++;
      }
    }
    return killed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const resolve of this.waiting.splice(0)) resolve();
    await Promise.all([...this.all].map((c) => c.stop()));
    this.all.clear();
    this.idle.length = 0;
    this.stats.containers = 0;
  }
}
