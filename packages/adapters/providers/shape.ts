/**
 * Hand-written shape checks for provider bodies. They run on every body of a
 * scan, so they only check what the adapters read, without building a schema
 * tree per call (`npm run bench -- body-validation` measures them against JSON.parse).
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short description of a value's type, for "expected X, got Y" messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A string field of a record, or undefined. */
export function stringField(record: JsonRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === "string" ? value : undefined;
}
