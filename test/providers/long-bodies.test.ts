import { describe, expect, it } from "vitest";
import {
  BAR_DATES,
  BARS,
  BODY_READERS,
  LONG_BODIES,
  type LongBodyProvider,
} from "../support/provider-bodies.ts";

/**
 * A year of bars in one body is read whole: every date, in order. How fast
 * that reading is, is measured by `npm run bench -- body-validation`, not
 * asserted here (a timed test fails on a busy machine).
 */
describe.each(Object.keys(LONG_BODIES) as LongBodyProvider[])("%s long body", (name) => {
  it(`reads a ${BARS}-bar body into a series of every date, ascending`, () => {
    const result = BODY_READERS[name](LONG_BODIES[name]);
    if (!result.ok) throw new Error(result.message);
    expect(result.series.dates).toStrictEqual(BAR_DATES);
  });
});
