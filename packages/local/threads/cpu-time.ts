import { readdirSync } from "node:fs";
import { schedstatMs, threadCpuMs } from "./thread-cpu.mjs";

/*
 * CPU time, for the local stack's "where does the time go" figures (Linux;
 * elsewhere these answer null and the figures are left out).
 */

export { threadCpuMs };

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
