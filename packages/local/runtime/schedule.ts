import { Cron } from "croner";

/**
 * Reads an EventBridge Scheduler expression — `rate(5 minutes)` or the
 * six-field `cron(minutes hours day-of-month month day-of-week year)` — and
 * answers when it next fires after a given time. AWS's day-of-week numbers run
 * 1 (SUN) to 7 (SAT) and `?` means "any"; both are translated for croner.
 */
export interface ScheduleClock {
  next(after: Date): Date | undefined;
}

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseScheduleExpression(expression: string, timezone = "UTC"): ScheduleClock {
  const rate = RATE.exec(expression.trim());
  if (rate) {
    const every = Number(rate[1]) * UNIT_MS[rate[2]!.replace(/s$/, "")]!;
    if (!(every > 0)) throw new Error(`schedule "${expression}": the rate must be at least 1`);
    return { next: (after) => new Date(after.getTime() + every) };
  }
  const cron = CRON.exec(expression.trim());
  if (!cron) throw new Error(`schedule "${expression}" is neither rate(...) nor cron(...)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(`schedule "${expression}": AWS cron needs 6 fields, got ${fields.length}`);
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== "?" && dow !== "?")
    throw new Error(`schedule "${expression}": one of day-of-month and day-of-week must be "?"`);
  const dowCron = dow === "?" ? "*" : dow.replace(/\d/g, (d) => String((Number(d) + 6) % 7));
  const pattern = `${minute} ${hour} ${dom === "?" ? "*" : dom} ${month} ${dowCron}`;
  const job = new Cron(pattern, { timezone, paused: true, legacyMode: false });
  return {
    next(after) {
      let from = after;
      for (let i = 0; i < 1000; i++) {
        const next = job.nextRun(from);
        if (!next) return undefined;
        if (year === "*" || year === "?" || String(next.getUTCFullYear()) === year) return next;
        from = next;
      }
      return undefined;
    },
  };
}

/** Fires `run` at each time the expression names, until stopped. */
export class LocalSchedule {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly clock: ScheduleClock;

  constructor(
    expression: string,
    timezone: string,
    private readonly run: () => void,
  ) {
    this.clock = parseScheduleExpression(expression, timezone);
  }

  start(): void {
    this.arm(new Date());
  }

  private arm(after: Date): void {
    if (this.stopped) return;
    const next = this.clock.next(after);
    if (!next) return;
    // setTimeout holds at most ~24.8 days; re-arm in steps for schedules further out.
    const delay = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    this.timer = setTimeout(
      () => {
        if (Date.now() >= next.getTime()) {
          this.run();
          this.arm(next);
        } else this.arm(after);
      },
      Math.max(0, delay),
    );
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
