/** The demo's progress bar: cli-progress on stderr, so stdout keeps only the tables. */
import cliProgress from "cli-progress";

/** A bar that starts on the first update; silent when stderr is not a terminal (cli-progress's default). */
export function progressBar(label: string): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} prompts  {duration}s`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
