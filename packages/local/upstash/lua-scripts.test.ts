import { describe, expect, it } from "vitest";
import { RespStatus } from "../redis/resp.ts";
import { ScriptShaMap, scriptSha, withoutUnsupportedShebangFlags } from "./lua-scripts.ts";

describe("withoutUnsupportedShebangFlags", () => {
  it.each([
    ["#!lua flags=allow-key-locking\nreturn 1", "#!lua\nreturn 1"],
    ["#!lua flags=no-writes,allow-key-locking\nreturn 1", "#!lua flags=no-writes\nreturn 1"],
    [
      "#!lua flags=allow-key-locking,allow-oom,no-writes\r\nreturn 1",
      "#!lua flags=allow-oom,no-writes\r\nreturn 1",
    ],
    ["#!lua flags=allow-key-locking", "#!lua"],
  ])("rewrites %j to %j", (script, expected) => {
    expect(withoutUnsupportedShebangFlags(script)?.toString()).toBe(expected);
  });

  it.each([
    "return 1",
    "#!lua\nreturn 1",
    "#!lua flags=no-writes,allow-stale\nreturn 1",
    "-- #!lua flags=allow-key-locking\nreturn 1",
  ])("leaves %j alone", (script) => {
    expect(withoutUnsupportedShebangFlags(script)).toBeUndefined();
  });
});

describe("ScriptShaMap", () => {
  const original = "#!lua flags=allow-key-locking\nreturn ARGV[1]";
  const stripped = "#!lua\nreturn ARGV[1]";

  it("sends EVALSHA of the original SHA as the SHA of the stripped script once EVAL has seen it", () => {
    const shas = new ScriptShaMap();
    expect(shas.prepare(["evalsha", scriptSha(original), "0"]).command).toStrictEqual([
      "evalsha",
      scriptSha(original),
      "0",
    ]);
    const evalCommand = shas.prepare(["eval", original, "1", "k", "v"]).command;
    expect(evalCommand.map(String)).toStrictEqual(["eval", stripped, "1", "k", "v"]);
    expect(shas.prepare(["EVALSHA", scriptSha(original).toUpperCase(), "0"]).command).toStrictEqual([
      "EVALSHA",
      scriptSha(stripped),
      "0",
    ]);
  });

  it("answers SCRIPT LOAD with the original SHA and translates SCRIPT EXISTS; SCRIPT FLUSH forgets", () => {
    const shas = new ScriptShaMap();
    const load = shas.prepare(["SCRIPT", "LOAD", original]);
    expect(load.command.map(String)).toStrictEqual(["SCRIPT", "LOAD", stripped]);
    expect(load.mapReply(Buffer.from(scriptSha(stripped)))).toStrictEqual(Buffer.from(scriptSha(original)));
    expect(load.mapReply(new RespStatus("x"))).toStrictEqual(new RespStatus("x"));
    expect(shas.prepare(["script", "exists", scriptSha(original), "abc"]).command).toStrictEqual([
      "script",
      "exists",
      scriptSha(stripped),
      "abc",
    ]);
    shas.prepare(["SCRIPT", "FLUSH"]);
    expect(shas.prepare(["EVALSHA", scriptSha(original), "0"]).command[1]).toBe(scriptSha(original));
  });
});
