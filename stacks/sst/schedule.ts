/**
 * The EventBridge Scheduler schedules, one `sst.aws.CronV2` per topology
 * schedule: the daily scan invokes scan-start with its payload, the sweep
 * invokes finalize (the finalize queue's subscriber) with `{ "sweep": true }`.
 * The scan's expression, time zone and payload can be changed at deploy time
 * (TICKERFLEET_SCAN_SCHEDULE, TICKERFLEET_SCAN_TIMEZONE, TICKERFLEET_SCAN_PAYLOAD;
 * see docs/deploy.md).
 */
import { topology } from "../topology/index.ts";
import { functions } from "./functions.ts";
import { type ResolvedSchedule, resolveSchedule } from "./settings.ts";

/** The schedules as deployed, overrides applied. */
export const schedules: readonly ResolvedSchedule[] = topology.schedules.map((spec) =>
  resolveSchedule(spec, process.env),
);

function declareSchedule(schedule: ResolvedSchedule): sst.aws.CronV2 {
  return new sst.aws.CronV2(schedule.name, {
    function: functions[schedule.fn],
    schedule: schedule.expression,
    timezone: schedule.timezone,
    // EventBridge Scheduler passes this object to the function as its event, unwrapped.
    event: schedule.payload,
    enabled: schedule.enabled,
  });
}

export const crons: readonly sst.aws.CronV2[] = schedules.map(declareSchedule);
