#!/usr/bin/env node
// Type-checks sst.config.ts and the SST modules in stacks/ against SST's own
// platform types, so a misspelled or mistyped option fails here instead of at
// `sst deploy`. Run from anywhere: `node scripts/sst-typecheck.mjs`.
//
// 1. SST's types live in .sst/platform (config.d.ts), written by `sst install`.
//    When they are missing, or were installed by another SST version, this runs
//    `sst install` the way that works offline: the npm package `bun` as SST's
//    package manager (SST_BUN_PATH; otherwise SST downloads bun from GitHub) and
//    SST_SKIP_DEPENDENCY_CHECK=1 (otherwise SST downloads Pulumi, which install
//    does not need). Both only need the npm registry.
// 2. It compiles tsconfig.sst.json with the TypeScript API and reports the
//    diagnostics of the project's files. SST's platform sources are compiled as
//    part of the program (config.d.ts imports them) but are SST's concern: under
//    this project's strict options they report hundreds of errors of their own,
//    which is why this is not a plain `tsc -p tsconfig.sst.json`.
//
// Exit code 0 when clean, 1 with the diagnostics otherwise.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = Date.now();
const require = createRequire(join(root, "package.json"));

function installedSstVersion() {
  const file = join(root, ".sst", "platform", "version");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

function packageSstVersion() {
  return JSON.parse(readFileSync(join(root, "node_modules", "sst", "package.json"), "utf8")).version;
}

function sstInstall() {
  const env = {
    ...process.env,
    SST_SKIP_DEPENDENCY_CHECK: "1",
    SST_TELEMETRY_DISABLED: "1",
  };
  const bun = join(root, "node_modules", "bun", "bin", "bun.exe");
  if (!env.SST_BUN_PATH && existsSync(bun)) env.SST_BUN_PATH = bun;
  // `sst install` evaluates app(); any stage will do, as nothing is deployed.
  const stage = env.SST_STAGE || "typecheck";
  console.log(`sst-typecheck: installing SST's platform types (sst install --stage ${stage})`);
  const result = spawnSync(
    process.execPath,
    [join(root, "node_modules", "sst", "bin", "sst.mjs"), "install", "--stage", stage],
    { cwd: root, env, stdio: "inherit", timeout: 600_000 },
  );
  if (result.status !== 0) {
    console.error(
      "sst-typecheck: `sst install` failed. Offline it needs the npm package `bun` " +
        "(devDependency; node_modules/bun/bin/bun.exe) or SST_BUN_PATH pointing at a bun binary, " +
        "and the npm registry.",
    );
    process.exit(1);
  }
}

const configTypes = join(root, ".sst", "platform", "config.d.ts");
if (!existsSync(configTypes) || installedSstVersion() !== packageSstVersion()) sstInstall();

const ts = require("typescript");
const formatHost = {
  getCanonicalFileName: (file) => file,
  getCurrentDirectory: () => root,
  getNewLine: () => "\n",
};
const configPath = join(root, "tsconfig.sst.json");
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    console.error(ts.formatDiagnostic(diagnostic, formatHost));
    process.exit(1);
  },
});

const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const isProjectFile = (file) => {
  const path = relative(root, file.fileName).split(sep).join("/");
  return !path.startsWith(".sst/") && !path.includes("node_modules/") && !path.startsWith("../");
};
const projectFiles = program.getSourceFiles().filter(isProjectFile);
const diagnostics = [
  ...parsed.errors,
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...projectFiles.flatMap((file) => [
    ...program.getSyntacticDiagnostics(file),
    ...program.getSemanticDiagnostics(file),
  ]),
];

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (diagnostics.length > 0) {
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
  console.error(
    `sst-typecheck: ${diagnostics.length} error(s) in ${projectFiles.length} files checked (${seconds} s)`,
  );
  process.exit(1);
}
console.log(`sst-typecheck: ${projectFiles.length} files clean against SST's platform types (${seconds} s)`);
