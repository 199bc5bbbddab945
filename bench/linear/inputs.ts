// The hostile corpus of the linear-time bench: each makes a text of exactly n characters (UTF-16 units).

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** Every delimiter rungs' parsers split on or look for: config, JSON, markdown, IFEval, judge replies, paths. */
const delimiters = [
  ":",
  ",",
  ";",
  "=",
  "/",
  "|",
  ".",
  "-",
  "*",
  "#",
  "@",
  "?",
  "&",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
];
const delimiterRun = delimiters.map((d) => `x${d} \t `).join("");

/** Deep nesting of one bracket kind: n/2 openers, then n/2 closers. */
const nested = (open: string, close: string) => (n: number) =>
  `${open.repeat(Math.floor(n / 2))}${close.repeat(Math.ceil(n / 2))}`;

export const inputs: Record<string, (n: number) => string> = {
  prose: (n) =>
    repeatTo(
      "The quick brown fox jumps over the lazy dog, twice. *Why?* See [the note] at https://example.com/a?b=c.\n\n- One point.\n* Another point; <<A title>>.\n",
      n,
    ),
  // long runs of one character
  "a…": (n) => "a".repeat(n),
  "spaces…x": (n) => `${" ".repeat(n - 1)}x`,
  "newlines…x": (n) => `${"\n".repeat(n - 1)}x`,
  "<<<…": (n) => "<".repeat(n),
  "[[[…": (n) => "[".repeat(n),
  "***…": (n) => "*".repeat(n),
  '"""…': (n) => '"'.repeat(n),
  "a-a-…": (n) => repeatTo("a-", n),
  ". . …": (n) => repeatTo(". ", n),
  "sk-sk-…": (n) => repeatTo("sk-", n),
  "markup mix": (n) => repeatTo("x:*<[ ,.'\"`-\n", n),
  // whitespace after every delimiter rungs uses
  "delimiter + spaces": (n) => repeatTo(delimiterRun, n),
  // combining marks: one giant grapheme cluster, and many clusters of many marks
  "one grapheme (a + marks)": (n) => `a${"\u0301".repeat(n - 1)}`,
  "clusters of 20 marks": (n) => repeatTo(`e${"\u0301\u0308".repeat(10)} `, n),
  "ZWJ emoji chain": (n) => repeatTo("\u{1F468}\u200D", n),
  // deep nesting of every bracket kind
  "{{…}}": nested("{", "}"),
  "[[…]]": nested("[", "]"),
  "((…))": nested("(", ")"),
  "<<…>>": nested("<", ">"),
  '{"a":{"a":…': (n) => repeatTo('{"a":', n),
  "```…": (n) => repeatTo("```\n", n),
  // many distinct names or keys
  "many keys": (n) => {
    let out = "";
    for (let i = 0; out.length < n; i += 1) out += `key${i}: value${i}\n`;
    return out.slice(0, n);
  },
};
