import { readdirSync, readFileSync } from "node:fs";

/*
 * CPU time, for the local stack's "where does the time go" figures: Linux's
 * per-thread scheduler statistics (first field of schedstat: ns on a CPU).
 * Elsewhere these answer null and the figures are left out.
 */

function schedstatMs(path: string): number | null {
  try {
    return Number(readFileSync(path, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/** CPU time the calling thread has used, in ms. */
export function threadCpuMs(): number | null {
  return schedstatMs("/proc/thread-self/schedstat");
}

/** CPU time every thread of a process has used, in ms (threads that have exited are not counted). */
export function processCpuMs(pid: number): number | null {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      total += schedstatMs(`/proc/${pid}/task/${tid}/schedstat`) ?? 0;
    return total;
  } catch {
    return null;
  }
}
