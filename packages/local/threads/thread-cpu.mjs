// Plain JavaScript, so the function containers' bootstrap (which runs before any loader) can use
// it as the server threads and the stack do: CPU time from Linux's per-thread scheduler
// statistics (first field of schedstat: ns on a CPU); null where there are none.
import { readFileSync } from "node:fs";

/** CPU time in ms recorded in a schedstat file, or null. */
export function schedstatMs(path) {
  try {
    return Number(readFileSync(path, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/** CPU time the calling thread has used, in ms, or null. */
export function threadCpuMs() {
  return schedstatMs("/proc/thread-self/schedstat");
}
