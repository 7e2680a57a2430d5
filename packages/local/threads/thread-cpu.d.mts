/** CPU time in ms recorded in a schedstat file, or null. */
export function schedstatMs(path: string): number | null;
/** CPU time the calling thread has used, in ms, or null. */
export function threadCpuMs(): number | null;
