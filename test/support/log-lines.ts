import { vi } from "vitest";

/**
 * The JSON lines a function writes while `run` runs: Powertools' Logger and Metrics write to
 * process.stdout (and stderr) through their own Console, not through the global console.
 */
export async function logLines<T>(
  run: () => Promise<T>,
): Promise<{ value: T; lines: Record<string, unknown>[] }> {
  const text: string[] = [];
  const capture = (chunk: unknown) => {
    text.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    const value = await run();
    return { value, lines: text.map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
