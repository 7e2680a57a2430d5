import { createHash } from "node:crypto";
import type { MessageAttributes } from "./message-attributes.ts";

/**
 * The MD5 digests SQS returns so clients can check what it stored. The SDKs
 * recompute them (the JS SDK checks MD5OfMessageBody / MD5OfBody; the Java and
 * .NET SDKs also check the attribute digests), so they must match AWS's
 * algorithm byte for byte.
 */

/** MD5 (hex) of the message body's UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

// Transport type codes of the attribute encoding (AWS reserves 3 and 4 for the
// unimplemented list types).
const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5 (hex) of message attributes as AWS encodes them: names sorted by UTF-16
 * code unit order (Java's String order, which AWS uses); for each attribute the
 * name, the data type and the value, each preceded by its byte length as a
 * 4-byte big-endian integer, with one transport byte (1 = String/Number and
 * their custom subtypes, 2 = Binary) before the value. Every string is UTF-8.
 * Returns undefined for no attributes: AWS then omits the digest.
 */
export function md5OfAttributes(attributes: MessageAttributes | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const attribute = attributes[name]!;
    updateWithLength(hash, Buffer.from(name, "utf8"));
    updateWithLength(hash, Buffer.from(attribute.DataType, "utf8"));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Uint8Array.of(BINARY_TRANSPORT));
      updateWithLength(hash, attribute.BinaryValue);
    } else {
      hash.update(Uint8Array.of(STRING_TRANSPORT));
      updateWithLength(hash, Buffer.from(attribute.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}

function updateWithLength(hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
