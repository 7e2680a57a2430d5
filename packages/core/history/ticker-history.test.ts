import { describe, expect, it } from "vitest";
import type { CorporateAction } from "./actions.ts";
import { emptyHistory, historyFromBars, historyToBars, type RawBar } from "./raw-history.ts";
import {
  acceptGaps,
  emptyTicker,
  historyRequest,
  mergeFetched,
  DEFAULT_HISTORY_POLICY as policy,
  type StoredTicker,
} from "./ticker-history.ts";

const bar = (date: string, close: number, provider: RawBar["provider"] = "yahoo"): RawBar => ({
  date,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 1000,
  provider,
});
const DATES = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-27", "2026-11-30", "2026-12-01"];

function stored(
  closes: number[],
  meta: StoredTicker["meta"] = {},
  actions: CorporateAction[] = [],
): StoredTicker {
  return {
    bars: historyFromBars(
      "T",
      closes.map((c, i) => bar(DATES[i]!, c)),
    ),
    actions,
    meta,
  };
}

describe("historyRequest", () => {
  it("asks for the whole lookback when nothing is stored", () => {
    expect(historyRequest(emptyTicker("T"), 500, policy)).toStrictEqual({ kind: "full", days: 500 });
  });

  it("asks again for the last three stored sessions and everything after them", () => {
    expect(historyRequest(stored([10, 11, 12, 13, 14]), 5, policy)).toStrictEqual({
      kind: "incremental",
      from: "2026-11-25",
    });
  });

  it("asks only for the days after the last stored session when no corrections are wanted", () => {
    expect(
      historyRequest(stored([10, 11, 12, 13, 14]), 5, { ...policy, correctionSessions: 0 }),
    ).toStrictEqual({
      kind: "incremental",
      from: "2026-12-01",
    });
  });

  it("asks for the whole lookback when fewer sessions are stored than a scan needs, unless the provider had no more", () => {
    expect(historyRequest(stored([10, 11, 12, 13, 14]), 6, policy)).toStrictEqual({ kind: "full", days: 6 });
    expect(historyRequest(stored([10, 11, 12, 13, 14], { fullDays: 500 }), 6, policy).kind).toBe(
      "incremental",
    );
  });
});

describe("mergeFetched", () => {
  it("adds new sessions and takes the provider's corrections inside the correction window", () => {
    const before = stored([10, 11, 12, 13, 14]);
    const fetched = historyFromBars("T", [
      bar("2026-11-25", 12),
      bar("2026-11-27", 13.5),
      bar("2026-11-30", 14),
      bar("2026-12-01", 15),
    ]);
    const merged = mergeFetched(
      before,
      { bars: fetched, actions: [] },
      { kind: "incremental", from: "2026-11-25" },
      policy,
    );
    expect(historyToBars(merged.ticker.bars).map((b) => b.close)).toEqual([10, 11, 12, 13.5, 14, 15]);
    expect(merged.changedFrom).toBe("2026-11-27");
    expect(merged.sessionsFetched).toBe(4);
    expect(merged.disagreements).toEqual([]);
  });

  it("changes nothing when the provider's answer has no bars", () => {
    const before = stored([10, 11, 12, 13, 14]);
    const merged = mergeFetched(
      before,
      { bars: emptyHistory("T"), actions: [] },
      { kind: "incremental", from: "2026-11-25" },
      policy,
    );
    expect(merged.ticker.bars).toBe(before.bars);
    expect(merged.changedFrom).toBeUndefined();
  });

  it("keeps stored bars older than the correction window when a whole-history fetch disagrees, and names them", () => {
    const before = stored([10, 11, 12, 13, 14]);
    const fetched = historyFromBars("T", [
      bar("2026-11-23", 10),
      bar("2026-11-24", 99),
      bar("2026-11-25", 12),
      bar("2026-11-27", 13),
      bar("2026-11-30", 14.5),
    ]);
    const merged = mergeFetched(before, { bars: fetched, actions: [] }, { kind: "full", days: 500 }, policy);
    expect(historyToBars(merged.ticker.bars).map((b) => b.close)).toEqual([10, 11, 12, 13, 14.5]);
    expect(merged.disagreements).toEqual(["2026-11-24"]);
    expect(merged.ticker.meta.fullDays).toBe(500);
    expect(merged.metaChanged).toBe(true);
  });

  it("adds newly reported actions and says so", () => {
    const before = stored([10, 11, 12]);
    const split: CorporateAction = { type: "split", exDate: "2026-11-25", from: 1, to: 2, provider: "yahoo" };
    const merged = mergeFetched(
      before,
      { bars: emptyHistory("T"), actions: [split] },
      { kind: "incremental", from: "2026-11-24" },
      policy,
    );
    expect(merged.ticker.actions).toStrictEqual([split]);
    expect(merged.actionsChanged).toBe(true);
    const again = mergeFetched(
      merged.ticker,
      { bars: emptyHistory("T"), actions: [split] },
      { kind: "incremental", from: "2026-11-24" },
      policy,
    );
    expect(again.actionsChanged).toBe(false);
  });

  it("finds an overnight move over 30 % that no action explains, among the sessions fetched now", () => {
    const before = stored([100, 101, 102]);
    const fetched = historyFromBars("T", [bar("2026-11-25", 102), bar("2026-11-27", 51)]);
    const merged = mergeFetched(
      before,
      { bars: fetched, actions: [] },
      { kind: "incremental", from: "2026-11-25" },
      policy,
    );
    expect(merged.unexplainedGaps).toEqual(["2026-11-27"]);
  });

  it("finds no gap when the split that explains it is reported", () => {
    const before = stored([100, 101, 102]);
    const fetched = historyFromBars("T", [bar("2026-11-25", 102), bar("2026-11-27", 51)]);
    const split: CorporateAction = { type: "split", exDate: "2026-11-27", from: 1, to: 2, provider: "yahoo" };
    const merged = mergeFetched(
      before,
      { bars: fetched, actions: [split] },
      { kind: "incremental", from: "2026-11-25" },
      policy,
    );
    expect(merged.unexplainedGaps).toEqual([]);
  });

  it("does not find a gap again once it was accepted", () => {
    const before = acceptGaps(stored([100, 101, 102, 51]), ["2026-11-27"]);
    const fetched = historyFromBars("T", [
      bar("2026-11-25", 102),
      bar("2026-11-27", 51),
      bar("2026-11-30", 52),
    ]);
    const merged = mergeFetched(
      before,
      { bars: fetched, actions: [] },
      { kind: "incremental", from: "2026-11-25" },
      policy,
    );
    expect(merged.unexplainedGaps).toEqual([]);
    expect(merged.ticker.meta.acceptedGaps).toEqual(["2026-11-27"]);
  });
});

describe("mergeFetched keeps what it stored when a provider says the same less exactly", () => {
  it("keeps a stored bar whose volume a split-adjusted spelling rounded, and a stored dividend it rounded", () => {
    const stored = {
      bars: historyFromBars("T", [bar("2026-11-27", 10), { ...bar("2026-11-30", 11), volume: 583_854 }]),
      actions: [
        { type: "dividend", exDate: "2026-11-30", amount: 0.25, provider: "yahoo" } as CorporateAction,
      ],
      meta: {},
    };
    const fetched = historyFromBars("T", [
      { ...bar("2026-11-30", 11), volume: 583_850 },
      bar("2026-12-01", 12),
    ]);
    const merged = mergeFetched(
      stored,
      {
        bars: fetched,
        actions: [{ type: "dividend", exDate: "2026-11-30", amount: 0.2499, provider: "yahoo" }],
      },
      { kind: "incremental", from: "2026-11-30" },
      policy,
    );
    expect(historyToBars(merged.ticker.bars).map((b) => b.volume)).toEqual([1000, 583_854, 1000]);
    expect(merged.changedFrom).toBe("2026-12-01");
    expect(merged.ticker.actions).toStrictEqual(stored.actions);
    expect(merged.actionsChanged).toBe(false);
  });

  it("takes a real correction of a bar or a dividend", () => {
    const stored = { bars: historyFromBars("T", [bar("2026-11-30", 11)]), actions: [], meta: {} };
    const fetched = historyFromBars("T", [bar("2026-11-30", 11.5)]);
    const merged = mergeFetched(
      stored,
      { bars: fetched, actions: [] },
      { kind: "incremental", from: "2026-11-30" },
      policy,
    );
    expect(merged.ticker.bars.close[0]).toBe(11.5);
    expect(merged.changedFrom).toBe("2026-11-30");
  });
});
