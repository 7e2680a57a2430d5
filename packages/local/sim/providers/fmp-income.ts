import { hashString, uniform } from "../prng.ts";

/**
 * FMP's quarterly income statements, simulated: `/stable/income-statement?
 * symbol=&period=quarter&limit=` → an array, newest first, of statements as
 * FMP's stable API prints them (`date` the quarter's end, `fiscalYear`,
 * `period` "Q1".."Q4", `revenue`, `netIncome`, `eps`, `epsDiluted`, share
 * counts, ...). Deterministic per (seed, symbol): each company has a base EPS,
 * a yearly growth rate (−30 % to +70 %) and quarterly noise; about one in
 * eight runs at a loss. Statements are published 35 days after the quarter
 * ends, so the latest is the last one published by the simulator's asOf.
 */

const FILING_LAG_DAYS = 35;
/** Most statements one answer holds (FMP's own cap varies by plan). */
export const MAX_STATEMENTS = 40;

const STREAM_PROFILE = 0x1c0e;
const STREAM_NOISE = 0x1c0f;

interface Quarter {
  end: Date;
  fiscalYear: number;
  period: string;
}

/** Quarter `n` counted from year 0 (year × 4 + 0..3): its calendar year, label and last day. */
function quarter(n: number): Quarter {
  const year = Math.floor(n / 4);
  const q = n - year * 4;
  return { end: new Date(Date.UTC(year, q * 3 + 3, 0)), fiscalYear: year, period: `Q${q + 1}` };
}

/** The last `count` quarters whose statements are out by `asOf`, newest first. */
function publishedQuarters(asOf: string, count: number): Quarter[] {
  const cutoff = new Date(`${asOf}T00:00:00Z`).getTime() - FILING_LAG_DAYS * 86_400_000;
  const d = new Date(cutoff);
  // The quarter the cutoff falls in, or the one before if it has not ended by then.
  let latest = d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
  if (quarter(latest).end.getTime() > cutoff) latest -= 1;
  return Array.from({ length: count }, (_, age) => quarter(latest - age));
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The statements of one symbol as FMP's body text (two-space pretty JSON). */
export function incomeStatements(
  seed: number,
  symbol: string,
  spelled: string,
  asOf: string,
  limit: number,
): string {
  const id = hashString(symbol);
  const u = (stream: number, index: number) => uniform(seed, id, stream, index);
  const baseEps = 0.2 + 4 * u(STREAM_PROFILE, 0);
  const losing = u(STREAM_PROFILE, 1) < 0.125;
  const yearlyGrowth = -0.3 + u(STREAM_PROFILE, 2);
  const shares = Math.round((50 + 2000 * u(STREAM_PROFILE, 3)) * 1e6);
  const margin = 0.05 + 0.25 * u(STREAM_PROFILE, 4);
  const rows = publishedQuarters(asOf, Math.min(limit, MAX_STATEMENTS)).map((quarter, age) => {
    const trend = baseEps * (1 + yearlyGrowth) ** (-age / 4);
    const noise = 1 + 0.2 * (u(STREAM_NOISE, age) - 0.5);
    const eps = round((losing ? -0.5 * trend : trend) * noise, 2);
    const netIncome = Math.round(eps * shares);
    const revenue = Math.round(Math.abs(netIncome) / margin);
    const filed = new Date(quarter.end.getTime() + FILING_LAG_DAYS * 86_400_000);
    const fields = [
      `"date": "${iso(quarter.end)}"`,
      `"symbol": ${JSON.stringify(spelled)}`,
      `"reportedCurrency": "USD"`,
      `"cik": "${String(id % 10_000_000).padStart(10, "0")}"`,
      `"filingDate": "${iso(filed)}"`,
      `"acceptedDate": "${iso(filed)} 16:05:12"`,
      `"fiscalYear": "${quarter.fiscalYear}"`,
      `"period": "${quarter.period}"`,
      `"revenue": ${revenue}`,
      `"netIncome": ${netIncome}`,
      `"eps": ${eps}`,
      `"epsDiluted": ${eps}`,
      `"weightedAverageShsOut": ${shares}`,
      `"weightedAverageShsOutDil": ${shares}`,
    ];
    return `  {\n    ${fields.join(",\n    ")}\n  }`;
  });
  return rows.length === 0 ? "[]" : `[\n${rows.join(",\n")}\n]`;
}
