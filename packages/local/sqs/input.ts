import { invalidParameter, missingParameter, SqsError } from "./errors.ts";

/**
 * Typed reads of one request's JSON members. The body comes from any client,
 * so every member is checked for its type; a wrong type is the client's error
 * and names the member.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) {
    throw new SqsError("SerializationException", `${what} must be a JSON object`);
  }
  return value;
}

export function optionalString(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidParameter(name, JSON.stringify(value), "must be a string.");
  return value;
}

export function requiredString(input: JsonObject, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/** An integer member; numbers sent as strings (older clients) are accepted too. */
export function optionalInteger(input: JsonObject, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number)) {
    throw invalidParameter(name, JSON.stringify(value), "must be an integer.");
  }
  return number;
}

export function optionalStringList(input: JsonObject, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw invalidParameter(name, JSON.stringify(value), "must be a list of strings.");
  }
  return value;
}

export function optionalStringMap(input: JsonObject, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || !Object.values(value).every((item) => typeof item === "string")) {
    throw invalidParameter(name, JSON.stringify(value), "must be a map of strings to strings.");
  }
  return value as Record<string, string>;
}

export function requiredList(input: JsonObject, name: string): unknown[] {
  const value = input[name];
  if (value === undefined || value === null) throw missingParameter(name);
  if (!Array.isArray(value)) throw invalidParameter(name, JSON.stringify(value), "must be a list.");
  return value;
}
