import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisServerNotFoundError, RedisServerStartError } from "./errors.ts";
import {
  COMMON_REDIS_DIRECTORIES,
  findExecutable,
  findRedisServer,
  isExecutable,
} from "./find-redis-server.ts";
import { findFreePort } from "./free-port.ts";
import { RespStatus } from "./resp.ts";
import { RespConnection } from "./resp-connection.ts";

/** A running redis-server child process on loopback. */
export interface RedisProcess {
  readonly port: number;
  readonly host: string;
  /** The redis-server process id. */
  readonly pid: number;
  /** Shuts the server down (SHUTDOWN NOSAVE, then SIGTERM, then SIGKILL) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRedisServerOptions {
  /**
   * TCP port to listen on (127.0.0.1 only).
   * @default a free port picked by the OS
   */
  port?: number;
  /**
   * Path of the redis-server executable.
   * @default the one found on PATH or in a common location (see findRedisServer)
   */
  binary?: string;
  /**
   * How long to wait for the server to answer PING before giving up.
   * @default 10_000
   */
  startTimeoutMs?: number;
}

const HOST = "127.0.0.1";
/** Attempts when the port is ours to pick: another process may grab a free port before redis binds it. */
const PORT_ATTEMPTS = 3;
const OUTPUT_TAIL_CHARS = 2_000;

/**
 * Starts redis-server on 127.0.0.1 with nothing persisted (`--save "" --appendonly no`),
 * in the foreground, and resolves once it answers PING. The child dies with this
 * process: on exit and on SIGINT/SIGTERM/SIGHUP, and on Linux (through
 * `setpriv --pdeathsig`) even when this process is killed outright.
 * @throws RedisServerNotFoundError with install instructions when there is no redis-server
 * @throws RedisServerStartError when it exits early or does not answer in time
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisProcess> {
  const binary = resolveBinary(options.binary);
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort(HOST));
    try {
      return await startOnPort(binary, port, startTimeoutMs);
    } catch (error) {
      const portTaken =
        error instanceof RedisServerStartError && /address already in use/i.test(error.output);
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}

function resolveBinary(binary: string | undefined): string {
  if (binary !== undefined) {
    if (!isExecutable(binary)) throw new RedisServerNotFoundError(`at ${binary} (not an executable file)`);
    return binary;
  }
  const found = findRedisServer();
  if (!found) throw new RedisServerNotFoundError(`on PATH or in ${COMMON_REDIS_DIRECTORIES.join(", ")}`);
  return found;
}

function redisArguments(port: number): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    HOST,
    "--protected-mode",
    "no",
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    // Nothing is written, but if something ever were, keep it out of the caller's cwd.
    "--dir",
    tmpdir(),
    "--logfile",
    "",
    "--loglevel",
    "warning",
  ];
}

async function startOnPort(binary: string, port: number, startTimeoutMs: number): Promise<RedisProcess> {
  installCleanupHandlers();
  const args = redisArguments(port);
  const setpriv = parentDeathSignalWrapper();
  // setpriv sets PR_SET_PDEATHSIG and then execs redis-server (same pid), so the
  // kernel kills redis when this process dies, even by SIGKILL.
  const child = setpriv
    ? spawn(setpriv, ["--pdeathsig", "KILL", "--", binary, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);

  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      exitedWith = `could not be run: ${error.message}`;
      resolve();
    });
    child.once("exit", (code, signal) => {
      exitedWith ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
  }).finally(() => liveChildren.delete(child));

  const waitForExit = async (ms: number): Promise<boolean> => {
    if (exitedWith !== undefined) return true;
    const timeout = sleep(ms, false, { ref: false });
    return Promise.race([exited.then(() => true), timeout]);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (await answersPing(port)) break;
    if (exitedWith !== undefined) {
      throw new RedisServerStartError(
        `redis-server ${exitedWith} before accepting connections on ${HOST}:${port}`,
        output.trim(),
      );
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await waitForExit(2_000);
      throw new RedisServerStartError(
        `redis-server did not answer PING on ${HOST}:${port} within ${startTimeoutMs} ms`,
        output.trim(),
      );
    }
    await Promise.race([sleep(25), exited]);
  }

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (await waitForExit(0)) return;
    const connection = await RespConnection.connect({ host: HOST, port, connectTimeoutMs: 1_000 }).catch(
      () => undefined,
    );
    // A successful SHUTDOWN closes the connection without a reply, so the send rejects.
    connection?.send([["SHUTDOWN", "NOSAVE"]]).catch(() => undefined);
    if (!(await waitForExit(3_000))) {
      child.kill("SIGTERM");
      if (!(await waitForExit(2_000))) {
        child.kill("SIGKILL");
        await waitForExit(2_000);
      }
    }
    await connection?.close();
  };

  return {
    port,
    host: HOST,
    pid: child.pid ?? -1,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** True when something on `port` answers PING with PONG within `timeoutMs` (a silent listener is not redis). */
async function answersPing(port: number, timeoutMs = 500): Promise<boolean> {
  let connection: RespConnection | undefined;
  try {
    connection = await RespConnection.connect({ host: HOST, port, connectTimeoutMs: timeoutMs });
    const silence = sleep(timeoutMs, [], { ref: false });
    const [reply] = await Promise.race([connection.send([["PING"]]), silence]);
    return reply instanceof RespStatus && reply.value === "PONG";
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

let setprivPath: string | null | undefined;

/** The setpriv executable when it supports --pdeathsig (Linux util-linux ≥ 2.33), else undefined. */
function parentDeathSignalWrapper(): string | undefined {
  if (setprivPath === undefined) {
    setprivPath = null;
    const candidate =
      process.platform === "linux" ? findExecutable("setpriv", ["/usr/bin", "/bin"]) : undefined;
    if (
      candidate &&
      spawnSync(candidate, ["--pdeathsig", "KILL", "--", "true"], { stdio: "ignore" }).status === 0
    ) {
      setprivPath = candidate;
    }
  }
  return setprivPath ?? undefined;
}

const liveChildren = new Set<ChildProcess>();
let cleanupHandlersInstalled = false;

/**
 * Kills every redis-server still running when this process exits or is told to
 * stop. Installed once. A signal handler replaces Node's default "exit on
 * signal", so when ours is the only listener it re-raises the signal after
 * cleaning up.
 */
function installCleanupHandlers(): void {
  if (cleanupHandlersInstalled) return;
  cleanupHandlersInstalled = true;
  const killAll = () => {
    for (const child of liveChildren) child.kill("SIGKILL");
    liveChildren.clear();
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
