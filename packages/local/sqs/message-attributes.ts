import { invalidParameter, SqsError } from "./errors.ts";
import { isObject } from "./input.ts";

/**
 * Message attributes as stored and returned: the wire shape, with binary values
 * decoded. User attributes and system attributes (AWSTraceHeader) share it.
 */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}
export type MessageAttributes = Record<string, MessageAttribute>;

/** AWS's limit on user attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_NAME_LENGTH = 256;
const MAX_DATA_TYPE_LENGTH = 256;
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const RESERVED_PREFIX = /^(aws\.|amazon\.)/i;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\..+)?$/;
const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
// Characters SQS accepts in bodies and string attribute values (XML 1.0 chars):
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. With the
// `u` flag a lone surrogate is one code point outside every range, so it matches.
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character SQS would reject, as `#xHEX`, or undefined when all are allowed. */
export function firstInvalidCharacter(text: string): string | undefined {
  const match = INVALID_CHARACTER.exec(text);
  if (match === null) return undefined;
  return `#x${match[0].codePointAt(0)!.toString(16).toUpperCase()}`;
}

/** Bytes the attributes count towards the message size: name, type and value of each. */
export function attributesSize(attributes: MessageAttributes | undefined): number {
  if (attributes === undefined) return 0;
  let size = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(attribute.DataType, "utf8");
    size +=
      attribute.BinaryValue !== undefined
        ? attribute.BinaryValue.length
        : Buffer.byteLength(attribute.StringValue ?? "", "utf8");
  }
  return size;
}

/** Validates and decodes `MessageAttributes` of a send; undefined when none were given. */
export function parseMessageAttributes(value: unknown): MessageAttributes | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidParameter("MessageAttributes", JSON.stringify(value), "must be a map.");
  const names = Object.keys(value);
  if (names.length === 0) return undefined;
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw new SqsError(
      "InvalidParameterValue",
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const attributes: MessageAttributes = {};
  for (const name of names) {
    checkAttributeName(name);
    attributes[name] = parseAttributeValue(name, value[name], "user");
  }
  return attributes;
}

/** Validates `MessageSystemAttributes` of a send: only AWSTraceHeader, a String, exists. */
export function parseMessageSystemAttributes(value: unknown): MessageAttributes | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw invalidParameter("MessageSystemAttributes", JSON.stringify(value), "must be a map.");
  }
  const names = Object.keys(value);
  if (names.length === 0) return undefined;
  const attributes: MessageAttributes = {};
  for (const name of names) {
    if (name !== "AWSTraceHeader") {
      throw new SqsError(
        "InvalidParameterValue",
        `Message system attribute name '${name}' is invalid. The only supported message system attribute is AWSTraceHeader.`,
      );
    }
    const attribute = parseAttributeValue(name, value[name], "system");
    if (attribute.DataType !== "String") {
      throw new SqsError(
        "InvalidParameterValue",
        `Message system attribute '${name}' must be of type 'String', not '${attribute.DataType}'.`,
      );
    }
    attributes[name] = attribute;
  }
  return attributes;
}

function checkAttributeName(name: string): void {
  const problem =
    name.length === 0 || name.length > MAX_NAME_LENGTH
      ? `must be 1 to ${MAX_NAME_LENGTH} characters long`
      : !NAME_PATTERN.test(name)
        ? "can contain only alphanumeric characters, underscores (_), hyphens (-) and periods (.)"
        : RESERVED_PREFIX.test(name)
          ? "must not start with the reserved prefixes 'AWS.' or 'Amazon.'"
          : name.startsWith(".") || name.endsWith(".") || name.includes("..")
            ? "must not start or end with a period or contain successive periods"
            : undefined;
  if (problem !== undefined) {
    throw new SqsError(
      "InvalidParameterValue",
      `Message (user) attribute name '${name}' is invalid: it ${problem}.`,
    );
  }
}

function parseAttributeValue(name: string, value: unknown, kind: "user" | "system"): MessageAttribute {
  const label = `Message (${kind}) attribute '${name}'`;
  if (!isObject(value)) throw new SqsError("InvalidParameterValue", `${label} must be an object.`);
  const dataType = value.DataType;
  if (typeof dataType !== "string" || dataType === "") {
    throw new SqsError("InvalidParameterValue", `${label} must contain a non-empty message attribute type.`);
  }
  if (dataType.length > MAX_DATA_TYPE_LENGTH || !DATA_TYPE_PATTERN.test(dataType)) {
    throw new SqsError(
      "InvalidParameterValue",
      `The type of ${label.charAt(0).toLowerCase()}${label.slice(1)} is invalid ('${dataType}'). You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (hasItems(value.StringListValues) || hasItems(value.BinaryListValues)) {
    throw new SqsError(
      "InvalidParameterValue",
      `${label} uses StringListValues/BinaryListValues, which SQS reserves and does not support.`,
    );
  }
  if (dataType.startsWith("Binary")) {
    const encoded = value.BinaryValue;
    if (typeof encoded !== "string" || encoded === "" || !BASE64_PATTERN.test(encoded)) {
      throw new SqsError(
        "InvalidParameterValue",
        `${label} must contain a non-empty base64 BinaryValue for message attribute type '${dataType}'.`,
      );
    }
    return { DataType: dataType, BinaryValue: Buffer.from(encoded, "base64") };
  }
  const text = value.StringValue;
  if (typeof text !== "string" || text === "") {
    throw new SqsError(
      "InvalidParameterValue",
      `${label} must contain a non-empty StringValue for message attribute type '${dataType}'.`,
    );
  }
  const invalid = firstInvalidCharacter(text);
  if (invalid !== undefined) {
    throw new SqsError(
      "InvalidParameterValue",
      `${label} contains the invalid character ${invalid}; allowed are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.`,
    );
  }
  if (dataType.startsWith("Number") && !NUMBER_PATTERN.test(text.trim())) {
    throw new SqsError(
      "InvalidParameterValue",
      `${label} has type '${dataType}' but its value is not a number.`,
    );
  }
  return { DataType: dataType, StringValue: text };
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** The wire form of attributes in a reply: binary values back to base64. */
export function attributesToWire(attributes: MessageAttributes): Record<string, Record<string, string>> {
  const wire: Record<string, Record<string, string>> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    wire[name] =
      attribute.BinaryValue !== undefined
        ? { DataType: attribute.DataType, BinaryValue: attribute.BinaryValue.toString("base64") }
        : { DataType: attribute.DataType, StringValue: attribute.StringValue ?? "" };
  }
  return wire;
}
