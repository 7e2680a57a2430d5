/**
 * scan-start reads the shipped universes with `new URL("./universes/…",
 * import.meta.url)`. In Lambda that URL is the bundle's: SST's Node build
 * (pkg/runtime/node/build.go) writes one ESM file, `bundle.mjs`, at the root
 * of the function package, and `copyFiles` entries land relative to that root
 * (pkg/runtime/runtime.go; symlinked there under `sst dev`). This bundles the
 * code with SST's esbuild options into that layout and loads the universes
 * from it in a fresh Node process, away from the repository's copies.
 */
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUniverse, UNIVERSE_NAMES } from "../../packages/core/universes.ts";
import { topology } from "../../stacks/topology/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** SST's esbuild options for a nodejs22.x function (pkg/runtime/node/build.go). */
function sstBuildOptions(entry: string, functionRoot: string) {
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: join(functionRoot, "bundle.mjs"),
    platform: "node" as const,
    format: "esm" as const,
    target: "es2023",
    bundle: true,
    keepNames: true,
    metafile: true,
    external: ["sharp", "pg-native"],
    mainFields: ["module", "main"],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        "const require = topLevelCreateRequire(import.meta.url);",
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        "const __filename = topLevelFileUrlToPath(import.meta.url)",
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
      ].join("\n"),
    },
    logLevel: "silent" as const,
  };
}

/** Copies scan-start's `copyFiles` (the topology's, which sst.config.ts passes on) into a function root. */
async function copyFiles(functionRoot: string): Promise<void> {
  for (const file of topology.functions.scanStart.copyFiles ?? []) {
    await cp(join(ROOT, file.from), join(functionRoot, file.to), { recursive: true });
  }
}

/** Imports a bundle in a fresh Node process and counts each universe's listings. */
function countUniverses(bundle: string) {
  const env = { ...process.env };
  delete env.TICKERFLEET_UNIVERSE_DIR;
  const script = `const { loadUniverse } = await import(process.argv[1]);
console.log(JSON.stringify(${JSON.stringify(UNIVERSE_NAMES)}.map((u) => loadUniverse(u).length)));`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script, pathToFileURL(bundle).href], {
    cwd: tmpdir(),
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
}

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "tickerfleet-sst-bundle-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("scan-start's Lambda package", () => {
  it("bundles with SST's options into one file that inlines universes.ts", async () => {
    const functionRoot = join(work, "scan-start");
    const entry = `${topology.functions.scanStart.handler.replace(/\.[^.]+$/, "")}.ts`;

    const result = await build(sstBuildOptions(join(ROOT, entry), functionRoot));

    expect(result.errors).toStrictEqual([]);
    expect(Object.keys(result.metafile?.inputs ?? {})).toContain("packages/core/universes.ts");
    expect(Object.keys(result.metafile?.outputs ?? {}).filter((o) => o.endsWith(".mjs"))).toHaveLength(1);
  });

  it("finds every universe beside the bundle once copyFiles are in place", async () => {
    const functionRoot = join(work, "with-copy-files");
    const entry = join(work, "universes-entry.ts");
    await writeFile(
      entry,
      `export { loadUniverse } from ${JSON.stringify(join(ROOT, "packages/core/universes.ts"))};\n`,
    );
    await build(sstBuildOptions(entry, functionRoot));
    await copyFiles(functionRoot);

    const run = countUniverses(join(functionRoot, "bundle.mjs"));

    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toStrictEqual(UNIVERSE_NAMES.map((u) => loadUniverse(u).length));
  });

  it("fails, naming the missing file beside the bundle, without them", async () => {
    const functionRoot = join(work, "without-copy-files");
    await mkdir(functionRoot, { recursive: true });
    const entry = join(work, "universes-entry-bare.ts");
    await writeFile(
      entry,
      `export { loadUniverse } from ${JSON.stringify(join(ROOT, "packages/core/universes.ts"))};\n`,
    );
    await build(sstBuildOptions(entry, functionRoot));

    const run = countUniverses(join(functionRoot, "bundle.mjs"));

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("ENOENT");
    expect(run.stderr).toContain(join(functionRoot, "universes", "sp500.csv"));
  });
});
