import type { Redis } from "@upstash/redis";

type Script = ReturnType<Redis["createScript"]>;

/** One Script object per client and text: it hashes its text once and remembers the SHA (EVALSHA, EVAL once). */
const scriptsByClient = new WeakMap<Redis, Map<string, Script>>();
export function script(redis: Redis, text: string): Script {
  let scripts = scriptsByClient.get(redis);
  if (!scripts) {
    scripts = new Map();
    scriptsByClient.set(redis, scripts);
  }
  let found = scripts.get(text);
  if (!found) {
    found = redis.createScript(text);
    scripts.set(text, found);
  }
  return found;
}
