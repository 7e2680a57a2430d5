import cliProgress from "cli-progress";
import { duration } from "./format.ts";

/**
 * The live scan line on stderr: a bar of accounted tickers (scored + failed)
 * with counts, tickers per second and an ETA. Without a terminal it prints a
 * plain line every few seconds instead, so logs stay readable.
 */
export class ScanProgressBar {
  private bar: cliProgress.SingleBar | undefined;
  private lastPlain = 0;
  private lastDone = -1;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly interactive = Boolean(process.stderr.isTTY),
  ) {}

  update(progress: { scored: number; failed: number; total: number }): void {
    const done = progress.scored + progress.failed;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 && progress.total > done ? duration(((progress.total - done) / rate) * 1000) : "–";
    const payload = { scored: progress.scored, failed: progress.failed, rate: rate.toFixed(1), etaText: eta };
    if (this.interactive) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          {
            stream: this.stream,
            format:
              "{bar} {percentage}% | {value}/{total} | scored {scored} failed {failed} | {rate} tickers/s | ETA {etaText}",
            hideCursor: true,
            clearOnComplete: false,
            barsize: 30,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(Math.max(1, progress.total), done, payload);
      }
      this.bar.setTotal(Math.max(1, progress.total));
      this.bar.update(done, payload);
    } else if (done !== this.lastDone && (Date.now() - this.lastPlain >= 5000 || done === progress.total)) {
      this.lastPlain = Date.now();
      this.lastDone = done;
      this.stream.write(
        `progress: ${done}/${progress.total} (scored ${progress.scored}, failed ${progress.failed}) ${payload.rate} tickers/s, ETA ${eta}\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
