import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";

/** What a handler gets as its context, minus the functions the container adds. */
export interface InvocationContextData {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  deadlineMs: number;
}

/** A failed invocation, shaped as Lambda reports it (`errorType`, `errorMessage`). */
export interface InvocationError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InvocationOutcome =
  | { ok: true; value: unknown; durationMs: number; coldStart: boolean }
  | { ok: false; error: InvocationError; durationMs: number; coldStart: boolean; containerLost: boolean };

export interface ContainerOptions {
  /** Absolute file URL or path of the handler module. */
  modulePath: string;
  exportName: string;
  functionName: string;
  memoryMB: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  region: string;
  accountId: string;
  /** Where the container's stdout/stderr lines go. */
  log: (line: string) => void;
}

type Pending = {
  id: string;
  resolve: (outcome: InvocationOutcome) => void;
  startedAt: number;
  timer: NodeJS.Timeout;
};

const BOOTSTRAP = new URL("./container-bootstrap.mjs", import.meta.url);

/**
 * One local Lambda execution environment: a worker thread that imports the
 * handler module once and runs one invocation at a time. Module-level state
 * (SDK clients, undici pools, Redis clients) survives between invocations, as
 * in a warm Lambda container. An invocation that passes its timeout, or code
 * that crashes the thread, ends the container: the runtime starts a fresh one
 * (a cold start) for the next invocation, as Lambda does.
 */
export class Container {
  readonly id = randomUUID().slice(0, 8);
  private readonly worker: Worker;
  private readonly ready: Promise<InvocationError | undefined>;
  private pending: Pending | undefined;
  private invocations = 0;
  /** The container thread's CPU time at its last report, and what the pool has not yet taken. */
  private cpuMsReported = 0;
  private cpuMsSinceReport = 0;

  /** CPU time the container's thread used in invocations since the last call (Linux; 0 elsewhere). */
  takeCpuMs(): number {
    const ms = this.cpuMsSinceReport;
    this.cpuMsSinceReport = 0;
    return ms;
  }
  private dead = false;

  constructor(private readonly options: ContainerOptions) {
    this.worker = new Worker(BOOTSTRAP, {
      workerData: { modulePath: options.modulePath, exportName: options.exportName },
      env: options.env,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(128, options.memoryMB) },
      // A Lambda runtime does not inherit the launching process's loader flags (e.g. `--import tsx`).
      // TICKERFLEET_CPU_PROFILE_DIR: write a V8 CPU profile per container there when it exits.
      execArgv: process.env.TICKERFLEET_CPU_PROFILE_DIR
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TICKERFLEET_CPU_PROFILE_DIR}`]
        : [],
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      let buffered = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf("\n");
        while (nl >= 0) {
          options.log(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf("\n");
        }
      });
    }
    this.ready = new Promise((resolve) => {
      const onMessage = (message: { type: string; error?: InvocationError; cpuMs?: number | null }) => {
        // Init's CPU is not an invocation's: count from here.
        if (typeof message.cpuMs === "number") this.cpuMsReported = message.cpuMs;
        if (message.type === "ready") resolve(undefined);
        else if (message.type === "init-error") resolve(message.error);
        else return;
        this.worker.off("message", onMessage);
      };
      this.worker.on("message", onMessage);
      this.worker.once("exit", () =>
        resolve({ errorType: "Runtime.ExitError", errorMessage: "container exited during init" }),
      );
    });
    this.worker.on(
      "message",
      (message: {
        type: string;
        id?: string;
        ok?: boolean;
        value?: unknown;
        error?: InvocationError;
        cpuMs?: number | null;
      }) => {
        if (message.type !== "result" || !this.pending || message.id !== this.pending.id) return;
        const pending = this.pending;
        if (typeof message.cpuMs === "number") {
          this.cpuMsSinceReport += message.cpuMs - this.cpuMsReported;
          this.cpuMsReported = message.cpuMs;
        }
        this.finish(
          message.ok
            ? {
                ok: true,
                value: message.value,
                durationMs: Date.now() - pending.startedAt,
                coldStart: this.invocations === 1,
              }
            : {
                ok: false,
                error: message.error ?? { errorType: "Error", errorMessage: "unknown error" },
                durationMs: Date.now() - pending.startedAt,
                coldStart: this.invocations === 1,
                containerLost: false,
              },
        );
      },
    );
    this.worker.on("error", (error) =>
      this.lose("Runtime.UnhandledError", `container crashed: ${error.message}`),
    );
    this.worker.on("exit", (code) =>
      this.lose("Runtime.ExitError", `Runtime exited with error: exit status ${code}`),
    );
  }

  /** Resolves once the handler module is loaded (or failed to load). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  get alive(): boolean {
    return !this.dead;
  }

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<InvocationOutcome> {
    if (this.pending) throw new Error(`container ${this.id} is busy`);
    if (this.dead) throw new Error(`container ${this.id} is gone`);
    this.invocations++;
    const startedAt = Date.now();
    const initError = await this.ready;
    if (initError) {
      this.dead = true;
      void this.worker.terminate();
      return {
        ok: false,
        error: initError,
        durationMs: Date.now() - startedAt,
        coldStart: true,
        containerLost: true,
      };
    }
    const { options } = this;
    const deadlineMs = startedAt + options.timeoutSeconds * 1000;
    const context: InvocationContextData = {
      functionName: options.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
      memoryLimitInMB: String(options.memoryMB),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${options.functionName}`,
      logStreamName: `local/${this.id}`,
      deadlineMs,
    };
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(
        () => {
          // Lambda stops the environment at the timeout; so do we.
          this.lose("Sandbox.Timedout", `Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`);
        },
        Math.max(0, deadlineMs - Date.now()),
      );
      this.pending = { id: requestId, resolve, startedAt, timer };
      this.worker.postMessage({ type: "invoke", id: requestId, event, context });
    });
  }

  private finish(outcome: InvocationOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve(outcome);
  }

  private lose(errorType: string, errorMessage: string): void {
    if (this.dead) return;
    this.dead = true;
    const pending = this.pending;
    if (pending) {
      this.finish({
        ok: false,
        error: { errorType, errorMessage },
        durationMs: Date.now() - pending.startedAt,
        coldStart: this.invocations === 1,
        containerLost: true,
      });
    }
    void this.worker.terminate();
  }

  /** Kills the container as a crash would (the invocation in flight fails; Lambda would not delete its messages). */
  kill(): void {
    this.lose("Runtime.ExitError", "RequestId: container killed: Runtime exited with error: signal: killed");
  }

  /** Stops the container; a running invocation ends as lost. */
  async stop(): Promise<void> {
    this.lose("Runtime.Shutdown", "container stopped");
    await this.worker.terminate().catch(() => undefined);
  }
}
