// The 15-rule rubric for the "Rust async function" task, calibrated on hand-written samples.
// Run: npm run example:rust-rubric   (prints the calibration report; exits 1 if it is off)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CalibrationSample,
  calibrate,
  defineRubric,
  length,
  matches,
  notMatches,
  predicate,
} from "../src/index.js";

/** The task the rubric judges answers to. */
export const rustAsyncTask = `Write a Rust function with exactly this signature:

pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, FetchError>

It fetches every URL and returns the bodies in the order of \`urls\`.
- At most 4 requests in flight at any time.
- Retry each failed request (connection error or non-success status) up to 3 times, waiting 250 ms,
  500 ms, then 1000 ms (exponential backoff) with an async sleep.
- Never .unwrap(), .expect() or panic; define FetchError.
- Document fetch_all with rustdoc comments, including an "# Errors" section.
Answer with the Rust code only.`;

// Optional suffix on integer literals: 250, 250u64, 250_u64.
const n = (value: number) => `${value}(?:_?u(?:8|16|32|64|size))?`;

// Code that fans out without a limit: fine only next to a limiter.
const fanOut = /join_all\s*\(|tokio::spawn\s*\(|FuturesUnordered/;
const limiter = /Semaphore::new\s*\(|\.buffer(?:ed|_unordered)\s*\(|for_each_concurrent\s*\(/;

/** The rubric: every rule must pass (threshold 1); the signature and no-unwrap rules are required. */
export const rustAsyncRubric = defineRubric({
  id: "rust-async-fetch-all",
  rules: [
    matches(
      "signature",
      /pub\s+async\s+fn\s+fetch_all\s*\(\s*client\s*:\s*&\s*reqwest::Client\s*,\s*urls\s*:\s*&\s*\[\s*String\s*\]\s*,?\s*\)\s*->\s*Result\s*<\s*Vec\s*<\s*String\s*>\s*,\s*FetchError\s*>/,
      {
        required: true,
        description:
          "Keep the exact signature: pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, FetchError>.",
      },
    ),
    matches(
      "concurrency-4",
      [
        /\.buffer(?:ed|_unordered)\s*\(\s*4\s*\)/,
        /for_each_concurrent\s*\(\s*(?:Some\s*\(\s*)?4\b/,
        /Semaphore::new\s*\(\s*4\s*\)/,
        /const\s+[A-Z_]*CONCURREN[A-Z_]*\s*:\s*usize\s*=\s*4\s*;/,
      ],
      {
        description:
          "Bound concurrency to 4: .buffered(4), .buffer_unordered(4), for_each_concurrent(4, …) or Semaphore::new(4).",
      },
    ),
    predicate(
      "no-unbounded-fan-out",
      (code) =>
        !fanOut.test(code) || limiter.test(code)
          ? true
          : {
              pass: false,
              message:
                "join_all, tokio::spawn or FuturesUnordered start every request at once; add a Semaphore or use .buffered(4).",
            },
      { description: "Do not start every request at once (join_all/spawn without a limiter)." },
    ),
    matches(
      "backoff-starts-250ms",
      [
        new RegExp(`from_millis\\(\\s*${n(250)}\\s*\\)`),
        new RegExp(`=\\s*${n(250)}\\s*;`),
        new RegExp(`\\b${n(250)}\\s*(?:\\*|<<)`),
        new RegExp(`\\[\\s*${n(250)}\\s*,`),
      ],
      { description: "The first retry waits 250 ms (Duration::from_millis(250) or a 250 constant)." },
    ),
    matches(
      "backoff-exponential",
      [
        new RegExp(`\\[\\s*${n(250)}\\s*,\\s*${n(500)}\\s*,\\s*${n(1000)}\\s*\\]`), // literal table
        /\*=\s*2\b/, // delay *= 2
        /=\s*\w+\s*\*\s*2\b/, // delay = delay * 2
        /\w\s*<<\s*[\w(]/, // BASE << attempt
        /\.(?:checked_|saturating_|wrapping_)?pow\s*\(/, // 2u64.pow(attempt)
      ],
      {
        description:
          "Back off exponentially, 250 → 500 → 1000 ms: a [250, 500, 1000] table, delay *= 2, a shift (<<) or .pow().",
      },
    ),
    matches(
      "three-retries",
      [
        /(?:RETRIES|ATTEMPTS|retries|attempts)\w*\s*:\s*u(?:8|16|32|64|size)\s*=\s*3\b/,
        /attempt\w*\s*(?:==|>=|<)\s*3\b/,
        new RegExp(`\\b[01]\\s*\\.\\.=?\\s*${n(3)}\\b`),
        /:\s*\[\s*u64\s*;\s*3\s*\]/,
      ],
      {
        description: "Retry each request at most 3 times (a MAX_RETRIES = 3 constant, attempt < 3, 0..3, …).",
      },
    ),
    matches(
      "async-sleep",
      [/tokio::time::sleep\s*\(/, /use\s+tokio::time::(?:\{[^}]*\bsleep\b[^}]*\}|sleep)\s*;/],
      {
        description: "Wait between retries with tokio::time::sleep(...).await.",
      },
    ),
    notMatches("no-blocking-sleep", /(?:std::)?thread::sleep\s*\(/, {
      description: "Never block the executor with std::thread::sleep inside async code.",
    }),
    notMatches("no-unwrap", /\.unwrap\s*\(\s*\)/, {
      required: true,
      description: "Handle errors with ? or match, never .unwrap().",
    }),
    notMatches("no-panic", [/\.expect\s*\(/, /\b(?:panic|todo|unimplemented|unreachable)!\s*\(/], {
      description: "Do not panic: no .expect(), panic!, todo!, unimplemented! or unreachable!.",
    }),
    matches(
      "rustdoc",
      /\/\/\/[^\n]*\n(?:[ \t]*(?:\/\/\/[^\n]*|#\[[^\n]*\])\n)*[ \t]*pub\s+async\s+fn\s+fetch_all/,
      { description: "Document fetch_all with /// rustdoc comments directly above it." },
    ),
    matches("rustdoc-errors", /\/\/\/\s*#\s*Errors\b/, {
      description: 'The rustdoc of fetch_all has an "# Errors" section.',
    }),
    matches("error-type", /\b(?:enum|struct)\s+FetchError\b|\btype\s+FetchError\s*=/, {
      description: "Define the FetchError type.",
    }),
    matches("status-check", [/error_for_status\s*\(/, /\.status\(\)\s*\.is_success\s*\(/], {
      description:
        "Treat a non-success HTTP status as a failure (error_for_status() or status().is_success()).",
    }),
    length("size", {
      min: 15,
      max: 200,
      unit: "lines",
      description: "A complete answer of 15 to 200 lines.",
    }),
  ],
});

/** The hand-written samples in test/fixtures/rust/{good,bad}, named by file. */
export function loadRustSamples(root = fileURLToPath(new URL("../test/fixtures/rust/", import.meta.url))): {
  accept: CalibrationSample[];
  reject: CalibrationSample[];
} {
  const load = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((file) => file.endsWith(".rs"))
      .sort()
      .map((file) => ({ name: `${dir}/${file}`, text: readFileSync(join(root, dir, file), "utf8") }));
  return { accept: load("good"), reject: load("bad") };
}

async function main(): Promise<void> {
  const samples = loadRustSamples();
  const report = await calibrate(rustAsyncRubric, samples);
  console.log(report.summary);
  console.log("\nrule                   fails on good  fails on bad");
  for (const rule of report.rules) {
    console.log(
      `${rule.ruleId.padEnd(22)} ${String(rule.failedOnAccept).padStart(13)}  ${String(rule.failedOnReject).padStart(12)}`,
    );
  }
  console.log("\nwhy each bad sample is rejected:");
  for (const sample of samples.reject) {
    const text = typeof sample === "string" ? sample : sample.text;
    const verdict = await rustAsyncRubric.evaluate(text);
    const name = typeof sample === "string" ? "sample" : sample.name;
    console.log(
      `  ${name} (${verdict.passed}/${verdict.total}): ${verdict.violations.map((v) => v.ruleId).join(", ")}`,
    );
  }
  if (!report.calibrated) process.exitCode = 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
