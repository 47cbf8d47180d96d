/**
 * A progress bar on stderr, drawn only when stderr is a terminal (quiet
 * when piped or redirected), redrawn at most ten times a second.
 */

/** Progress of a long operation towards `total` units (bytes, records). */
export class ProgressBar {
  readonly #total: number;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #done = 0;
  #drawnAt = 0;
  #drawn = false;

  constructor(label: string, total: number, enabled = process.stderr.isTTY === true) {
    this.#label = label;
    this.#total = Math.max(total, 0);
    this.#enabled = enabled;
  }

  /** Records progress: `done` units so far; `note` (e.g. a record count) is shown after the bar. */
  update(done: number, note = ''): void {
    this.#done = done;
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#drawnAt < 100 && done < this.#total) return;
    this.#drawnAt = now;
    this.#draw(note);
  }

  /** Erases the bar. */
  finish(): void {
    if (this.#enabled && this.#drawn) process.stderr.write('\r\u001b[2K');
  }

  #draw(note: string): void {
    const width = 30;
    const frac = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 0;
    const filled = Math.round(frac * width);
    const secs = Math.max((Date.now() - this.#started) / 1000, 0.001);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    process.stderr.write(`\r\u001b[2K${this.#label} [${bar}] ${pct}% ${note} (${secs.toFixed(1)} s)`);
    this.#drawn = true;
  }
}
