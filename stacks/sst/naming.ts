/**
 * Physical AWS names of tickerfleet's resources. Plain data, no SST globals:
 * the SST modules name what they declare with it, and the CLI can find a
 * stage's function, queues and tables with it (`tickerfleet top --stage prod`)
 * without `.sst/outputs.json`, which only exists where the stage was deployed.
 */

/** The SST app name (`app().name` in sst.config.ts). */
export const APP_NAME = "tickerfleet";

/** Lambda's limit, the strictest of the services named (SQS allows 80, DynamoDB 255), applied to all. */
const MAX_NAME_LENGTH = 64;

/**
 * `tickerfleet-<stage>-<logical>`, e.g. `tickerfleet-prod-ScanStart`,
 * `tickerfleet-prod-ScansTable`. App and stage in the name keep stages apart in
 * one account, as SST asks of names set by hand. Logical names are the
 * topology's (function `name`, queue `name` / `dlqName`, table `name`).
 */
export function physicalName(stage: string, logical: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(stage)) {
    throw new Error(
      `stage "${stage}" must be letters, digits, "-" or "_": it becomes part of AWS resource names`,
    );
  }
  const name = `${APP_NAME}-${stage}-${logical}`;
  if (name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `resource name "${name}" is ${name.length} characters, over ${MAX_NAME_LENGTH}: use a shorter stage name`,
    );
  }
  return name;
}
