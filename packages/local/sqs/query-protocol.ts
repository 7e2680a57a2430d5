import { missingParameter, SqsError } from "./errors.ts";
import { isObject, type JsonObject } from "./input.ts";
import type { WireProtocol, WireReply } from "./protocol.ts";
import { QUERY_ACTIONS, type QueryMember, type QueryShape } from "./query-shapes.ts";

/**
 * The Query protocol: `Action=<Action>&…` as a form body (POST) or a query
 * string (GET), to `/` or to a queue's URL (which then names the queue), and
 * XML answers in SQS's namespace:
 *   <XResponse xmlns="…"><XResult>…</XResult><ResponseMetadata><RequestId>…
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…
 * Parameters are read into the JSON protocol's shapes and outputs written
 * from them, by the names in query-shapes.ts. Signatures and the
 * Version/Timestamp/Expires parameters are not checked.
 */

const NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
const CONTENT_TYPE = "text/xml";

export const queryProtocol: WireProtocol = {
  readCall(request, body, serverUrl) {
    if (request.method !== "POST" && request.method !== "GET") {
      throw new SqsError("InvalidAction", `Only GET and POST are supported; got ${request.method}.`);
    }
    const url = new URL(request.url ?? "/", serverUrl);
    const params = new Map(url.searchParams);
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params.set(name, value);
    const action = params.get("Action");
    const shapes =
      action !== undefined && Object.hasOwn(QUERY_ACTIONS, action) ? QUERY_ACTIONS[action] : undefined;
    if (shapes === undefined) return { action, input: {} };
    const input = readStructure(params, "", shapes.input);
    // A request sent to a queue's URL names its queue by the path.
    if (shapes.input.QueueUrl !== undefined && input.QueueUrl === undefined && url.pathname !== "/") {
      input.QueueUrl = `${serverUrl}${url.pathname}`;
    }
    return { action, input };
  },

  reply(action, output, requestId) {
    const shape = QUERY_ACTIONS[action]?.output;
    const result = shape === undefined ? "" : element(`${action}Result`, writeStructure(output, shape));
    const metadata = element("ResponseMetadata", element("RequestId", requestId));
    return xmlReply(
      200,
      `<${action}Response xmlns="${NAMESPACE}">${result}${metadata}</${action}Response>`,
      requestId,
    );
  },

  replyError(error, requestId) {
    const detail =
      element("Type", error.senderFault ? "Sender" : "Receiver") +
      element("Code", escapeText(error.kind.queryCode)) +
      element("Message", escapeText(error.message)) +
      "<Detail/>";
    const xml = `<ErrorResponse xmlns="${NAMESPACE}">${element("Error", detail)}${element("RequestId", requestId)}</ErrorResponse>`;
    return xmlReply(error.kind.status, xml, requestId);
  },
};

// --- parameters in -------------------------------------------------------------

function readStructure(params: ReadonlyMap<string, string>, prefix: string, shape: QueryShape): JsonObject {
  const input: JsonObject = {};
  for (const [member, how] of Object.entries(shape)) {
    const value = readMember(params, prefix, member, how);
    if (value !== undefined) input[member] = value;
  }
  return input;
}

function readMember(
  params: ReadonlyMap<string, string>,
  prefix: string,
  member: string,
  how: QueryMember,
): unknown {
  if (how.kind === "scalar") return params.get(prefix + member);
  const base = `${prefix}${how.name}.`;
  const indices = indicesAt(params, base);
  if (indices.length === 0) {
    // Clients send an empty list or map as the bare name with no value (`Name=`).
    if (!params.has(prefix + how.name)) return undefined;
    return how.kind === "map" ? {} : [];
  }
  switch (how.kind) {
    case "list":
      return indices.map((index) => params.get(base + index)).filter((item) => item !== undefined);
    case "structures":
      return indices.map((index) => readStructure(params, `${base}${index}.`, how.shape));
    case "map": {
      const map: JsonObject = {};
      for (const index of indices) {
        const key = params.get(`${base}${index}.${how.key}`);
        if (key === undefined) throw missingParameter(`${base}${index}.${how.key}`);
        const valueName = `${base}${index}.${how.value}`;
        if (how.valueShape !== undefined) {
          map[key] = readStructure(params, `${valueName}.`, how.valueShape);
        } else {
          const value = params.get(valueName);
          if (value === undefined) throw missingParameter(valueName);
          map[key] = value;
        }
      }
      return map;
    }
  }
}

/** The indices N of the parameters named `<base>N` or `<base>N.…`, in ascending order. */
function indicesAt(params: ReadonlyMap<string, string>, base: string): number[] {
  const indices = new Set<number>();
  for (const name of params.keys()) {
    if (!name.startsWith(base)) continue;
    const index = name.slice(base.length).split(".", 1)[0]!;
    if (/^[1-9]\d{0,5}$/.test(index)) indices.add(Number(index));
  }
  return [...indices].sort((a, b) => a - b);
}

// --- XML out -------------------------------------------------------------------

function writeStructure(output: JsonObject, shape: QueryShape): string {
  let xml = "";
  for (const member of Object.keys(output)) {
    if (!Object.hasOwn(shape, member)) {
      // A bug: the Query model here lacks a member the JSON side answers with.
      throw new Error(`The Query shape has no member ${member}.`);
    }
  }
  for (const [member, how] of Object.entries(shape)) {
    const value = output[member];
    if (value !== undefined && value !== null) xml += writeMember(member, how, value);
  }
  return xml;
}

function writeMember(member: string, how: QueryMember, value: unknown): string {
  switch (how.kind) {
    case "scalar":
      return element(member, escapeText(String(value)));
    case "list":
      return asArray(value)
        .map((item) => element(how.name, escapeText(String(item))))
        .join("");
    case "structures":
      return asArray(value)
        .map((item) => element(how.name, writeStructure(asStructure(item), how.shape)))
        .join("");
    case "map":
      return Object.entries(asStructure(value))
        .map(([key, item]) => {
          const written =
            how.valueShape === undefined
              ? escapeText(String(item))
              : writeStructure(asStructure(item), how.valueShape);
          return element(how.name, element(how.key, escapeText(key)) + element(how.value, written));
        })
        .join("");
  }
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`Expected a list in the output, got ${typeof value}.`);
  return value;
}

function asStructure(value: unknown): JsonObject {
  if (!isObject(value)) throw new Error(`Expected a structure in the output, got ${typeof value}.`);
  return value;
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#xD;",
};
// Characters XML 1.0 cannot carry at all; only echoes of bad input (in error messages) hold them.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text as XML content; a carriage return as &#xD;, which XML parsers would otherwise turn into a newline. */
function escapeText(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/[&<>"\r]/g, (character) => ESCAPES[character]!);
}

function xmlReply(status: number, xml: string, requestId: string): WireReply {
  return {
    status,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId },
    body: Buffer.from(`<?xml version="1.0"?>${xml}`, "utf8"),
  };
}
