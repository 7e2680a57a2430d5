import { z } from "zod";
import { CHANNEL_NAMES } from "../../core/alerts/channel.ts";
import type { AlertRecord } from "../../core/alerts/deliver.ts";
import type { ScanReportRecord } from "../../core/pipeline/records.ts";
import type { Item } from "./items.ts";

/**
 * What notify leaves on a scan, read back with validation: the report's record (an attribute of
 * the scan item) and one `alert#<channel>` item per channel, so each channel's claim is its own
 * conditional put and a person reads every channel's outcome in the console.
 */

export const ALERT_PREFIX = "alert#";

const reportSchema = z.object({
  key: z.string().optional(),
  url: z.string().optional(),
  expiresAt: z.string().optional(),
  bytes: z.number().optional(),
  publishedAt: z.string().optional(),
  attempts: z.number().int().min(0),
  error: z.string().optional(),
});

/** A scan's report record as its item keeps it; undefined when absent or unreadable. */
export function reportFrom(value: unknown): ScanReportRecord | undefined {
  const parsed = reportSchema.safeParse(value);
  return parsed.success ? (parsed.data as ScanReportRecord) : undefined;
}

const alertSchema = z.object({
  channel: z.enum(CHANNEL_NAMES),
  status: z.enum(["sending", "sent", "failed"]),
  attempts: z.number().int().min(0),
  claimedAt: z.string(),
  finishedAt: z.string().optional(),
  reason: z.string().optional(),
});

export function alertItem(scanId: string, record: AlertRecord, expiresAt: number | undefined): Item {
  return {
    scanId,
    item: `${ALERT_PREFIX}${record.channel}`,
    ...record,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** A channel's alert record of an `alert#…` item; undefined when unreadable. */
export function alertFromItem(item: Item | undefined): AlertRecord | undefined {
  const parsed = alertSchema.safeParse(item);
  return parsed.success ? (parsed.data as AlertRecord) : undefined;
}
