import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Amazon SNS on loopback, as much of it as tickerfleet uses: the Query
 * protocol @aws-sdk/client-sns speaks (`Action=<Action>&…` form parameters,
 * XML answers in SNS's namespace), reached through `AWS_ENDPOINT_URL_SNS`.
 * CreateTopic (idempotent by name), Publish (Subject and size checked as SNS
 * does), ListTopics (100 a page) and Subscribe (email and email-json only,
 * pending confirmation, never delivered). Published messages are kept, for
 * tests (`GET /_sns/messages`) and for `local up --logs` (`onPublish`).
 * Signatures are not checked.
 */

export interface SnsServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Region in topic ARNs. @default "us-east-1" */
  region?: string;
  /** Account in topic ARNs. @default "000000000000" */
  accountId?: string;
  /** Told about every message published, after it is kept. */
  onPublish?: (message: SnsMessage) => void;
}

/** A message as published (attributes are not kept). */
export interface SnsMessage {
  topicArn: string;
  subject?: string;
  message: string;
  messageId: string;
  /** When it was published, ISO 8601. */
  at: string;
}

export interface SnsSubscription {
  topicArn: string;
  protocol: string;
  endpoint: string;
}

export interface SnsStats {
  requests: number;
  /** Publish requests, the ones SNS bills (per 64 KiB). */
  published: number;
  byAction: Record<string, number>;
}

export interface SnsServer {
  /** `http://127.0.0.1:PORT`: AWS_ENDPOINT_URL_SNS. */
  readonly url: string;
  readonly port: number;
  /** The messages published so far, oldest first (also `GET /_sns/messages`). */
  messages(): SnsMessage[];
  /** Calls `listener` with every message published from now on; returns a function that stops it. */
  onPublish(listener: (message: SnsMessage) => void): () => void;
  subscriptions(): SnsSubscription[];
  stats(): SnsStats;
  close(): Promise<void>;
}

const NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";
/** SNS's limit on a message, attributes included. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT_CHARS = 100;
/** A form-encoded 256 KiB message may triple in size. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const TOPICS_PER_PAGE = 100;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const EMAIL_PROTOCOLS = new Set(["email", "email-json"]);

/** An SNS error: its Query code (the SDK's exception is `<code>Exception`), status and fault. */
export class SnsError extends Error {
  override readonly name = "SnsError";
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly sender = true,
  ) {
    super(message);
  }
}

const invalidParameter = (message: string) =>
  new SnsError("InvalidParameter", `Invalid parameter: ${message}`);

type Params = ReadonlyMap<string, string>;

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === "") throw invalidParameter(`${name} is required`);
  return value;
}

export async function startSnsServer(options: SnsServerOptions = {}): Promise<SnsServer> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  /** Topic ARNs in creation order (ListTopics' order). */
  const topics = new Set<string>();
  const subscriptions: SnsSubscription[] = [];
  const published: SnsMessage[] = [];
  const listeners = new Set<(message: SnsMessage) => void>();
  if (options.onPublish) listeners.add(options.onPublish);
  const stats: SnsStats = { requests: 0, published: 0, byAction: {} };

  const topicArn = (name: string) => `arn:aws:sns:${region}:${accountId}:${name}`;
  const existingTopic = (arn: string): string => {
    if (!topics.has(arn)) throw new SnsError("NotFound", "Topic does not exist", 404);
    return arn;
  };

  const actions: Record<string, (params: Params) => string> = {
    CreateTopic(params) {
      const name = required(params, "Name");
      const attributes = readEntries(params, "Attributes");
      if (name.endsWith(".fifo") || attributes.FifoTopic === "true") {
        throw invalidParameter("FifoTopic: FIFO topics are not emulated locally");
      }
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) {
        throw invalidParameter(
          "Topic Name: topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
        );
      }
      const arn = topicArn(name);
      topics.add(arn);
      return `<TopicArn>${escapeXml(arn)}</TopicArn>`;
    },

    ListTopics(params) {
      const all = [...topics];
      const start = Number(params.get("NextToken") ?? "0");
      if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalidParameter("NextToken");
      const page = all.slice(start, start + TOPICS_PER_PAGE);
      const next =
        start + TOPICS_PER_PAGE < all.length ? `<NextToken>${start + TOPICS_PER_PAGE}</NextToken>` : "";
      const members = page.map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`).join("");
      return `<Topics>${members}</Topics>${next}`;
    },

    Publish(params) {
      if (params.has("PhoneNumber")) throw invalidParameter("PhoneNumber: SMS is not emulated locally");
      const arn = existingTopic(
        params.get("TopicArn") ?? params.get("TargetArn") ?? required(params, "TopicArn"),
      );
      const message = params.get("Message");
      if (message === undefined || message === "") throw invalidParameter("Empty message");
      const subject = params.get("Subject");
      if (subject !== undefined) checkSubject(subject);
      if (params.get("MessageStructure") === "json") checkJsonStructure(message);
      // The limit counts the message and its attributes (names, types and values).
      let bytes = Buffer.byteLength(message);
      for (const [name, value] of params) {
        if (name.startsWith("MessageAttributes.")) bytes += Buffer.byteLength(value);
      }
      if (bytes > MAX_MESSAGE_BYTES) {
        throw invalidParameter(`Message too long: ${bytes} bytes, over SNS's ${MAX_MESSAGE_BYTES}`);
      }
      const entry: SnsMessage = {
        topicArn: arn,
        ...(subject !== undefined ? { subject } : {}),
        message,
        messageId: randomUUID(),
        at: new Date().toISOString(),
      };
      published.push(entry);
      stats.published++;
      for (const listener of listeners) {
        try {
          listener(entry);
        } catch {
          // A listener's failure is the listener's; the publish succeeded.
        }
      }
      return `<MessageId>${entry.messageId}</MessageId>`;
    },

    Subscribe(params) {
      const arn = existingTopic(required(params, "TopicArn"));
      const protocol = required(params, "Protocol");
      const endpoint = required(params, "Endpoint");
      if (!EMAIL_PROTOCOLS.has(protocol)) {
        throw invalidParameter(`Protocol ${protocol}: only email and email-json are emulated locally`);
      }
      if (!/^[^\s@]+@[^\s@]+$/.test(endpoint)) throw invalidParameter("Invalid email address");
      if (
        !subscriptions.some((s) => s.topicArn === arn && s.protocol === protocol && s.endpoint === endpoint)
      ) {
        subscriptions.push({ topicArn: arn, protocol, endpoint });
      }
      // An email subscription waits for the address to confirm; SNS answers so until it does.
      return "<SubscriptionArn>pending confirmation</SubscriptionArn>";
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname === "/_sns/messages") {
      if (request.method === "DELETE") {
        published.length = 0;
        return sendJson(response, 200, []);
      }
      return sendJson(response, 200, published);
    }
    stats.requests++;
    let action: string | undefined;
    try {
      if (request.method !== "POST" && request.method !== "GET") {
        throw new SnsError("InvalidAction", `Only GET and POST are supported; got ${request.method}.`);
      }
      const body = await readBody(request);
      const params = new Map(url.searchParams);
      for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
      action = params.get("Action");
      stats.byAction[action ?? ""] = (stats.byAction[action ?? ""] ?? 0) + 1;
      const run = action !== undefined && Object.hasOwn(actions, action) ? actions[action] : undefined;
      if (!run) throw new SnsError("InvalidAction", `Could not find operation ${action ?? "(none)"}.`);
      const result = run(params);
      sendXml(
        response,
        200,
        `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
        requestId,
      );
    } catch (error) {
      const sns =
        error instanceof SnsError
          ? error
          : new SnsError("InternalError", (error as Error).message, 500, false);
      sendXml(
        response,
        sns.status,
        `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${sns.sender ? "Sender" : "Receiver"}</Type><Code>${sns.code}</Code><Message>${escapeXml(sns.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        requestId,
      );
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    messages: () => published.map((m) => ({ ...m })),
    onPublish(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscriptions: () => subscriptions.map((s) => ({ ...s })),
    stats: () => ({ ...stats, byAction: { ...stats.byAction } }),
    close() {
      closed ??= new Promise<void>((resolve) => {
        listeners.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/** SNS's rule: ASCII, starting with a letter, number or punctuation, no line breaks or control characters, at most 100. */
function checkSubject(subject: string): void {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_CHARS) {
    throw invalidParameter(
      `Subject must be 1 to ${MAX_SUBJECT_CHARS} characters long; it is ${subject.length}`,
    );
  }
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(subject)) {
    throw invalidParameter(
      "Subject must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters",
    );
  }
}

/** A Query map (`<name>.entry.N.key` / `.value`) as an object. */
function readEntries(params: Params, name: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let n = 1; params.has(`${name}.entry.${n}.key`); n++) {
    entries[params.get(`${name}.entry.${n}.key`)!] = params.get(`${name}.entry.${n}.value`) ?? "";
  }
  return entries;
}

function checkJsonStructure(message: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter("Message Structure - JSON message body failed to parse");
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    typeof (parsed as { default?: unknown }).default !== "string"
  ) {
    throw invalidParameter("Message Structure - No default entry in JSON message body");
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of request) {
    length += (part as Buffer).length;
    if (length > MAX_REQUEST_BYTES) throw invalidParameter(`Request over ${MAX_REQUEST_BYTES} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString("utf8");
}

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

function sendXml(response: ServerResponse, status: number, xml: string, requestId: string): void {
  const body = Buffer.from(`<?xml version="1.0"?>\n${xml}`, "utf8");
  response.writeHead(status, {
    "content-type": "text/xml",
    "content-length": body.length,
    "x-amzn-requestid": requestId,
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  response.writeHead(status, { "content-type": "application/json", "content-length": body.length });
  response.end(body);
}
