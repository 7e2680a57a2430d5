import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServerNotFoundError, RedisServerStartError } from "./errors.ts";
import { findRedisServer } from "./find-redis-server.ts";
import { type RedisProcess, startRedisServer } from "./redis-server.ts";
import { RespStatus } from "./resp.ts";
import { RespConnection } from "./resp-connection.ts";

/** True while `pid` runs. A killed child whose parent died can linger as a zombie until init reaps it: that is not running. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; Z is a zombie, X dead.
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; false after `timeoutMs`. */
async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

async function send(server: RedisProcess, ...command: string[]) {
  const connection = await RespConnection.connect({ host: server.host, port: server.port });
  try {
    const [reply] = await connection.send([command]);
    return reply;
  } finally {
    await connection.close();
  }
}

describe("startRedisServer", () => {
  let server: RedisProcess;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it("runs on loopback, in the foreground, persisting nothing", async () => {
    expect(server.host).toBe("127.0.0.1");
    expect(await send(server, "PING")).toStrictEqual(new RespStatus("PONG"));
    expect(await send(server, "CONFIG", "GET", "save")).toStrictEqual([Buffer.from("save"), Buffer.from("")]);
    expect(await send(server, "CONFIG", "GET", "appendonly")).toStrictEqual([
      Buffer.from("appendonly"),
      Buffer.from("no"),
    ]);
    expect(await send(server, "CONFIG", "GET", "bind")).toStrictEqual([
      Buffer.from("bind"),
      Buffer.from("127.0.0.1"),
    ]);
    expect(await send(server, "CONFIG", "GET", "daemonize")).toStrictEqual([
      Buffer.from("daemonize"),
      Buffer.from("no"),
    ]);
  });

  it("starts a second server on another free port alongside the first", async () => {
    const second = await startRedisServer();
    try {
      expect(second.port).not.toBe(server.port);
      await send(second, "SET", "only-here", "1");
      expect(await send(second, "EXISTS", "only-here")).toBe(1n);
      expect(await send(server, "EXISTS", "only-here")).toBe(0n);
    } finally {
      await second.stop();
    }
  });

  it("stop() ends the process and frees the port, and may be called twice", async () => {
    const doomed = await startRedisServer();
    await Promise.all([doomed.stop(), doomed.stop()]);
    await doomed.stop();
    expect(isAlive(doomed.pid)).toBe(false);
    await expect(RespConnection.connect({ host: doomed.host, port: doomed.port })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it("uses the port it is given, and says why when that port is taken", async () => {
    // Not redis: it hangs up on whoever connects (a socket nobody reads would keep close() waiting).
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = startRedisServer({ port });
      await expect(attempt).rejects.toBeInstanceOf(RedisServerStartError);
      await expect(attempt).rejects.toThrow(/Address already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const onPort = await startRedisServer({ port });
    try {
      expect(onPort.port).toBe(port);
      expect(await send(onPort, "PING")).toStrictEqual(new RespStatus("PONG"));
    } finally {
      await onPort.stop();
    }
  });

  it("names exactly what to install when the binary is missing", async () => {
    const attempt = startRedisServer({ binary: "/nonexistent/redis-server" });
    await expect(attempt).rejects.toBeInstanceOf(RedisServerNotFoundError);
    await expect(attempt).rejects.toThrow(/apt-get install -y redis-server/);
    await expect(attempt).rejects.toThrow(/brew install redis/);
  });

  it("finds redis-server on this machine", () => {
    expect(findRedisServer()).toMatch(/redis-server$/);
  });
});

describe("no orphan redis-server when the parent dies", () => {
  const moduleUrl = new URL("./redis-server.ts", import.meta.url).href;
  const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

  /** Starts a Node process that starts redis-server, reports its pid, then waits to be killed. */
  async function parentWithRedis(): Promise<{
    parentPid: number;
    redisPid: number;
    exited: Promise<string>;
  }> {
    const script = `const { startRedisServer } = await import(${JSON.stringify(moduleUrl)});
      const redis = await startRedisServer();
      console.log("redis-pid=" + redis.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<string>((resolve) =>
      parent.once("exit", (code, signal) => resolve(signal ?? `code ${code}`)),
    );
    const redisPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the parent did not report a redis pid within 20 s")),
        20_000,
      );
      let output = "";
      parent.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/redis-pid=(\d+)/);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    return { parentPid: parent.pid ?? -1, redisPid, exited };
  }

  it("kills redis-server when the parent gets SIGTERM, and the parent still exits by that signal", async () => {
    const { parentPid, redisPid, exited } = await parentWithRedis();
    expect(isAlive(redisPid)).toBe(true);
    process.kill(parentPid, "SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(await waitUntilGone(redisPid)).toBe(true);
  });

  it.runIf(process.platform === "linux")("kills redis-server even when the parent is SIGKILLed", async () => {
    const { parentPid, redisPid, exited } = await parentWithRedis();
    expect(isAlive(redisPid)).toBe(true);
    process.kill(parentPid, "SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(await waitUntilGone(redisPid)).toBe(true);
  });
});
