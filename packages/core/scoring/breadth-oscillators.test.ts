import { describe, expect, it } from "vitest";
import { syntheticSeries } from "../../../test/support/synthetic-series.ts";
import { BreadthAccumulator } from "./breadth-accumulator.ts";
import { breadthContribution } from "./breadth-contribution.ts";

describe("McClellan oscillator and summation index", () => {
  /** Independent reference: EMA with smoothing alpha, seeded with the SMA of the first `period` values. */
  function emaRef(values: readonly number[], period: number, alpha: number): number[] {
    const out: number[] = [];
    let prev = Number.NaN;
    values.forEach((v, i) => {
      if (i < period - 1) out.push(Number.NaN);
      else if (i === period - 1) {
        prev = values.slice(0, period).reduce((s, x) => s + x, 0) / period;
        out.push(prev);
      } else {
        prev = prev + alpha * (v - prev);
        out.push(prev);
      }
    });
    return out;
  }

  it("is EMA(0.10) − EMA(0.05) of net advances, and its running sum", () => {
    const acc = new BreadthAccumulator({ window: 120 });
    for (let t = 0; t < 40; t++) {
      acc.add(
        breadthContribution(
          syntheticSeries(`T${t}`, 100 + t, 150, { volatility: 0.02, drift: (t % 5) * 0.001 }),
          120,
        ),
      );
    }
    const r = acc.result();
    expect(r.dates.length).toBe(120);
    const net = Array.from(r.netAdvances);
    const fast = emaRef(net, 19, 0.1);
    const slow = emaRef(net, 39, 0.05);
    const expected = fast.map((f, i) => f - slow[i]!);
    for (let i = 0; i < 120; i++) {
      if (i < 38) expect(Number.isNaN(r.mcClellanOscillator[i]!)).toBe(true);
      else expect(r.mcClellanOscillator[i]).toBeCloseTo(expected[i]!, 9);
    }
    let sum = 0;
    for (let i = 38; i < 120; i++) {
      sum += expected[i]!;
      expect(r.summationIndex[i]).toBeCloseTo(sum, 8);
    }
    const rana = Array.from(r.advances, (adv, i) => {
      const dec = r.declines[i]!;
      return adv + dec > 0 ? ((adv - dec) / (adv + dec)) * 1000 : 0;
    });
    const rFast = emaRef(rana, 19, 0.1);
    const rSlow = emaRef(rana, 39, 0.05);
    expect(r.ratioAdjustedOscillator[119]).toBeCloseTo(rFast[119]! - rSlow[119]!, 8);
  });
});
