/** Types of scripts/ensure-chromium.mjs (plain JavaScript so it runs before `npm install`). */
export const CHROMIUM_PATHS: readonly string[];
export const CHROMIUM_INSTALL_HELP: string;
export function findChromium(): string | undefined;
export function ensureChromium(options?: { log?: (line: string) => void }): Promise<string>;
