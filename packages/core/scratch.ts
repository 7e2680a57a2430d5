/**
 * Typed-array scratch columns, grown on demand and reused from call to call
 * (JS runs one call at a time), so hot per-ticker code allocates nothing.
 * `ensure(n)` returns the columns, each at least `n` long; read them through
 * `subarray(0, n)` when the length matters.
 */
export function scratchColumns<F extends string, I extends string = never>(
  floats: readonly F[],
  ints: readonly I[] = [],
): (n: number) => Readonly<Record<F, Float64Array> & Record<I, Int32Array>> {
  let size = 0;
  const columns = {} as Record<F, Float64Array> & Record<I, Int32Array>;
  const allocate = (length: number) => {
    for (const name of floats) (columns as Record<F, Float64Array>)[name] = new Float64Array(length);
    for (const name of ints) (columns as Record<I, Int32Array>)[name] = new Int32Array(length);
  };
  allocate(0);
  return (n) => {
    if (size < n) {
      size = Math.max(n, size * 2, 512);
      allocate(size);
    }
    return columns;
  };
}
