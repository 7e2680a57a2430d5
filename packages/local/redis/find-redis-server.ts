import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Where redis-server lives when it is not on PATH (Debian, Homebrew on Intel and Apple silicon, snap). */
export const COMMON_REDIS_DIRECTORIES = [
  "/usr/bin",
  "/usr/local/bin",
  "/opt/homebrew/bin",
  "/usr/sbin",
  "/snap/bin",
] as const;

/** True when `path` exists and this process may execute it. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH, then in `extraDirectories`. */
export function findExecutable(name: string, extraDirectories: readonly string[] = []): string | undefined {
  const pathDirectories = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const directory of [...pathDirectories, ...extraDirectories]) {
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The path of a redis-server executable on PATH or in a common location, or undefined. */
export function findRedisServer(): string | undefined {
  return findExecutable("redis-server", COMMON_REDIS_DIRECTORIES);
}
