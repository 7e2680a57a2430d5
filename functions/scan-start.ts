/**
 * scan-start: invoked by the schedule, the Lambda console, `aws lambda invoke`
 * and `tickerfleet scan`. Validates the payload (a bad one is rejected with
 * every problem named, nothing written), records the scan, enqueues its chunks.
 */
import { Resource } from "sst";
import { createScanStart } from "../packages/adapters/compose/scan-start.ts";

export const handler = createScanStart({
  fetchQueueUrl: Resource.FetchQueue.url,
  scansTable: Resource.ScansTable.name,
});
