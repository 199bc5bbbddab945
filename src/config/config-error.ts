import { RungsError } from "../errors/rungs-error.js";
import { redactText } from "../redact.js";
import { describeValue } from "../text/describe.js";

/** One problem found in a config: where, what was there, what is wrong, and the likely fix. */
export interface ConfigIssue {
  /** Where in the config, e.g. `ladder[1].attempts` or `escalation["sonnet-low"]` (`""` for the root). */
  path: string;
  /** The value found there (redacted), `undefined` when missing. */
  value: unknown;
  /** What is wrong, in words (e.g. `unknown key`, `must be a whole number ≥ 1`). */
  message: string;
  /** A close known name when the key or name looks misspelt ("did you mean"). */
  suggestion?: string;
}

const issueLine = (issue: ConfigIssue): string =>
  `  - ${issue.path || "(root)"}: ${issue.message}${issue.suggestion === undefined ? "" : ` (did you mean "${issue.suggestion}"?)`}${issue.value === undefined ? "" : ` — got ${describeValue(issue.value, 60)}`}`;

/** Most issues listed in the message (all are on `issues`). */
const listed = 10;

/**
 * A ladder config was refused before any model was called: a wrong shape (path, value, "did you mean" for a
 * misspelt key), a cycle in the escalation map, a name or provider nobody defines, or a rubric the registry
 * does not hold. `issues` holds every problem found; `parameter` is the first one's path.
 */
export class ConfigError extends RungsError {
  /** The error's class name, `"ConfigError"`. */
  override name = "ConfigError" as const;
  /** The first problem's path (as `InvalidArgumentError.parameter`). */
  readonly parameter: string;
  /** The first problem's value, redacted. */
  readonly value: unknown;
  /** Every problem found, in order. */
  readonly issues: readonly ConfigIssue[];
  /** The file the config came from, when it was loaded from one. */
  readonly file: string | undefined;

  constructor(found: readonly ConfigIssue[], file?: string) {
    // A key or name can be secret-shaped too (a key pasted where a name goes): paths and messages are
    // masked like values.
    const issues = found.map((issue) => ({
      ...issue,
      path: redactText(issue.path),
      message: redactText(issue.message),
    }));
    const first = issues[0];
    const more = issues.length > listed ? `\n  … and ${issues.length - listed} more` : "";
    super(
      redactText(
        `${file === undefined ? "The ladder config" : `Ladder config ${file}`} is not valid (${issues.length} problem${issues.length === 1 ? "" : "s"}); fix the config and try again:\n${issues.slice(0, listed).map(issueLine).join("\n")}${more}`,
      ),
    );
    this.parameter = first?.path ?? "";
    this.value = first?.value;
    this.issues = issues;
    this.file = file;
  }
}
