/**
 * `local up --logs`: the notify function's alert and report lines, also in words, so a person
 * sees each alert it sends (the function's JSON lines are printed as well).
 */
export function alertLogLine(line: string): string | undefined {
  if (!/"event":"(alert|report|email)"/.test(line)) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (entry.event === "email") {
    return `email through ${String(entry.topicArn)}: ${String(entry.subject)}\n${String(entry.message)}`;
  }
  if (entry.event === "report") {
    return entry.published
      ? `report of scan ${String(entry.scanId)} published (${String(entry.bytes)} bytes); \`tickerfleet status --local\` prints its link`
      : `report of scan ${String(entry.scanId)} not published: ${String(entry.error ?? entry.reason ?? "unknown")}`;
  }
  if (entry.event !== "alert") return undefined;
  const outcome =
    entry.status === "sent"
      ? `sent (${String(entry.attempts)} attempt${entry.attempts === 1 ? "" : "s"})`
      : `${String(entry.status)}${entry.reason ? `: ${String(entry.reason)}` : ""}`;
  return `alert → ${String(entry.channel)} ${outcome}: ${String(entry.title ?? "")} — ${String(entry.summary ?? "")}`;
}
