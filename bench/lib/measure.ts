import { performance } from "node:perf_hooks";
import { type Spread, spread } from "./stats.js";

/** One call of the code under test; resolves when the call is done. */
export type Call = () => Promise<void>;

export interface MeasureOptions {
  /** Builds a fresh call function; rebuilt every `batch` calls, outside the timed region. */
  setup: () => Call | Promise<Call>;
  /** Calls per setup, so recorders (`scriptedModel.calls`, mocks' call lists) stay small. @default 1000 */
  batch?: number;
  /** Warm-up time before measuring, in ms; it also sizes the repetitions. @default 500 */
  warmupMs?: number;
  /** Target duration of one repetition, in ms. @default 400 */
  repetitionMs?: number;
  /** Repetitions measured. @default 5 */
  repetitions?: number;
}

export interface Measurement {
  /** Wall-clock µs per call over each repetition: median, min, max. */
  microsPerCall: Spread;
  /**
   * CPU µs (user + system, all threads of the process) per call over each repetition. Less sensitive than
   * wall time to other processes competing for the cores.
   */
  cpuMicrosPerCall: Spread;
  /** Calls per repetition. */
  callsPerRepetition: number;
  repetitions: number;
}

/**
 * Times `calls` sequential calls, rebuilding the call function every `batch` calls (untimed).
 * Returns the wall time in ms and the CPU time in µs spent inside calls only.
 */
async function timed(
  setup: MeasureOptions["setup"],
  calls: number,
  batch: number,
): Promise<{ ms: number; cpuMicros: number }> {
  let ms = 0;
  let cpuMicros = 0;
  for (let done = 0; done < calls; ) {
    const call = await setup();
    const n = Math.min(batch, calls - done);
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i += 1) await call();
    ms += performance.now() - start;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    done += n;
  }
  return { ms, cpuMicros };
}

/**
 * Warm-up, then `repetitions` runs of a fixed number of sequential calls sized so one repetition lasts
 * about `repetitionMs`. Reports µs per call for each repetition (median, min–max).
 */
export async function measure(options: MeasureOptions): Promise<Measurement> {
  const batch = options.batch ?? 1000;
  const warmupMs = options.warmupMs ?? 500;
  const repetitionMs = options.repetitionMs ?? 400;
  const repetitions = options.repetitions ?? 5;
  // Warm-up: grow the call count until it fills the warm-up time; the rate sizes the repetitions.
  let warmCalls = 16;
  let warmElapsed = (await timed(options.setup, warmCalls, batch)).ms;
  while (warmElapsed < warmupMs) {
    warmCalls *= 2;
    warmElapsed = (await timed(options.setup, warmCalls, batch)).ms;
  }
  const callsPerRepetition = Math.max(16, Math.round((warmCalls / warmElapsed) * repetitionMs));
  const micros: number[] = [];
  const cpuMicros: number[] = [];
  for (let r = 0; r < repetitions; r += 1) {
    const run = await timed(options.setup, callsPerRepetition, batch);
    micros.push((run.ms * 1000) / callsPerRepetition);
    cpuMicros.push(run.cpuMicros / callsPerRepetition);
  }
  return {
    microsPerCall: spread(micros),
    cpuMicrosPerCall: spread(cpuMicros),
    callsPerRepetition,
    repetitions,
  };
}
