import { StoreError } from "./errors.ts";

/**
 * Reads the fields of an item (or a map inside one) by their type. Items come
 * back from DynamoDB untyped; the mappers in items.ts read them through this
 * rather than cast, so a field of another type is found, not passed on.
 * Every problem is collected; `done` throws one StoreError naming them all,
 * so the placeholder a reader returns for a bad field never leaves this module.
 */
export class ItemFields {
  readonly #map: object;
  readonly #path: string;
  readonly #problems: string[];

  constructor(value: unknown, path: string, problems: string[] = []) {
    this.#path = path;
    this.#problems = problems;
    if (typeof value === "object" && value !== null) this.#map = value;
    else {
      this.#map = {};
      problems.push(`${path} is not a map`);
    }
  }

  get(key: string): unknown {
    return Reflect.get(this.#map, key);
  }

  text(key: string): string {
    const value = this.get(key);
    return typeof value === "string" ? value : this.#problem(key, "a string", "");
  }

  optionalText(key: string): string | undefined {
    const value = this.get(key);
    return value === undefined || typeof value === "string"
      ? value
      : this.#problem(key, "a string", undefined);
  }

  number(key: string): number {
    const value = this.get(key);
    return typeof value === "number" ? value : this.#problem(key, "a number", Number.NaN);
  }

  numberOrNull(key: string): number | null {
    const value = this.get(key);
    return value === null || typeof value === "number" ? value : this.#problem(key, "a number or null", null);
  }

  /** A value `is` accepts (one of a few literals), as its precise type. */
  oneOf<T>(key: string, is: (value: unknown) => value is T, fallback: T): T {
    const value = this.get(key);
    return is(value) ? value : this.#problem(key, "a known value", fallback);
  }

  /** A list of strings. */
  texts(key: string): string[] {
    return this.#list(key, (v): v is string => typeof v === "string", "strings");
  }

  /** A list of numbers and nulls. */
  numbersOrNull(key: string): (number | null)[] {
    return this.#list(
      key,
      (v): v is number | null => v === null || typeof v === "number",
      "numbers or nulls",
    );
  }

  /** A list of maps, each read by `read` from its own fields. */
  maps<T>(key: string, read: (element: ItemFields) => T): T[] {
    const value = this.get(key);
    if (!Array.isArray(value)) return this.#problem(key, "a list", []);
    return value.map((element, i) =>
      read(new ItemFields(element, `${this.#path}.${key}[${i}]`, this.#problems)),
    );
  }

  /** The fields of a map inside this one. */
  map(key: string): ItemFields {
    return new ItemFields(this.get(key), `${this.#path}.${key}`, this.#problems);
  }

  /** `value` if every field read as its type; otherwise throws a StoreError naming each one that did not. */
  done<T>(value: T): T {
    if (this.#problems.length > 0) {
      throw new StoreError(`unreadable item: ${this.#problems.slice(0, 5).join("; ")}`);
    }
    return value;
  }

  #list<T>(key: string, is: (value: unknown) => value is T, expected: string): T[] {
    const value = this.get(key);
    return Array.isArray(value) && value.every(is) ? value : this.#problem(key, `a list of ${expected}`, []);
  }

  #problem<T>(key: string, expected: string, fallback: T): T {
    this.#problems.push(`${this.#path}.${key} is not ${expected}`);
    return fallback;
  }
}

/** A guard for one of a few literal values. */
export function isOneOf<const T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value): value is T => values.some((v) => v === value);
}
