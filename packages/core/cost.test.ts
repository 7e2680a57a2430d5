import { describe, expect, it } from "vitest";
import { dollars, PRICES, type UsageCounts } from "./cost.ts";

const none: UsageCounts = {
  sqsBilledRequests: 0,
  dynamoWriteUnits: 0,
  dynamoReadUnits: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  redisCommands: 0,
};

describe("dollars", () => {
  it("prices each billing unit at its list price", () => {
    expect(dollars({ ...none, sqsBilledRequests: 1e6 })).toMatchObject({ sqs: 0.4, total: 0.4 });
    expect(dollars({ ...none, dynamoWriteUnits: 1e6 })).toMatchObject({ dynamo: 0.625, total: 0.625 });
    expect(dollars({ ...none, dynamoReadUnits: 1e6 }).dynamo).toBeCloseTo(0.125, 12);
    expect(dollars({ ...none, lambdaInvocations: 1e6 }).lambda).toBeCloseTo(0.2, 12);
    expect(dollars({ ...none, lambdaGbSeconds: 3600 }).lambda).toBeCloseTo(0.048, 6);
    expect(dollars({ ...none, redisCommands: 1e5 })).toMatchObject({ upstash: 0.2, total: 0.2 });
    expect(PRICES.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("adds the parts into the total", () => {
    // About what a 7,480-ticker scan uses (bench/cost): Redis 0.25, SQS 0.29, DynamoDB writes 1.11 per ticker.
    const scan = dollars({
      sqsBilledRequests: 2169,
      dynamoWriteUnits: 8303,
      dynamoReadUnits: 900,
      lambdaInvocations: 1100,
      lambdaGbSeconds: 60,
      redisCommands: 1870,
    });
    expect(scan.total).toBeCloseTo(scan.sqs + scan.dynamo + scan.lambda + scan.upstash, 15);
    expect(scan.sqs).toBeCloseTo(0.0008676, 9);
    expect(scan.dynamo).toBeCloseTo(0.005189375 + 0.0001125, 9);
    expect(scan.upstash).toBeCloseTo(0.00374, 9);
    expect(scan.lambda).toBeCloseTo(0.00022 + 0.000800004, 9);
  });
});
