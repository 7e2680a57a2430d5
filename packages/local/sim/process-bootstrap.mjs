// Entry of the simulator's child process (see process.ts): registers tsx so the
// TypeScript sources run as they are, then starts the simulator.
import { register } from "tsx/esm/api";

register();
await import("./process-main.ts");
