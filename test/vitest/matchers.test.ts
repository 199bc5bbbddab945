import { describe, expect, it } from "vitest";
import { defineRubric } from "../../src/rubric/rubric.js";
import { matches, nonEmpty, notMatches } from "../../src/rubric/rules.js";
import "../../src/vitest/index.js";
import { rungsMatchers } from "../../src/vitest/index.js";

const rubric = defineRubric({
  id: "rust-snippet",
  rules: [
    nonEmpty(),
    matches("async-fn", /async fn/, { required: true }),
    notMatches("no-unwrap", /\.unwrap\(\)/, { description: "Handle errors with ?, never .unwrap()." }),
  ],
});

describe("toSatisfyRubric", () => {
  it("passes on an accepted output and supports .not", async () => {
    await expect("pub async fn go() -> Result<(), E> { Ok(()) }").toSatisfyRubric(rubric);
    await expect("fn go() {}").not.toSatisfyRubric(rubric);
  });

  it("fails with a message listing the violated rules and their messages", async () => {
    const failure = expect("fn go() { x.unwrap() }").toSatisfyRubric(rubric);
    await expect(failure).rejects.toThrow(/rubric "rust-snippet" \(threshold 1\): 1\/3 rules passed/);
    await expect(expect("fn go() { x.unwrap() }").toSatisfyRubric(rubric)).rejects.toThrow(
      /- async-fn \(required\): [\s\S]*- no-unwrap: Handle errors with \?, never \.unwrap\(\)\. Found "\.unwrap\(\)"/,
    );
  });

  it("fails .not with the accepted verdict", async () => {
    await expect(expect("async fn go() {}").not.toSatisfyRubric(rubric)).rejects.toThrow(
      /but it was accepted \(3\/3/,
    );
  });

  it("fails on a non-string output and refuses a non-rubric", async () => {
    await expect(expect(42).toSatisfyRubric(rubric)).rejects.toThrow(/expected a string output/);
    await expect(expect("x").toSatisfyRubric({} as never)).rejects.toThrow(/built with defineRubric/);
  });
});

describe("toBeCalibratedOn", () => {
  it("passes when good samples are accepted and bad ones rejected", async () => {
    await expect(rubric).toBeCalibratedOn({
      accept: ["async fn a() {}"],
      reject: ["fn a() {}", "async fn a() { b.unwrap() }"],
    });
  });

  it("fails with the calibration summary naming the wrong samples and rules", async () => {
    const failure = expect(rubric).toBeCalibratedOn({
      accept: [{ name: "sync-but-fine", text: "fn a() {}" }],
      reject: [{ name: "sneaky", text: 'async fn a() { b.expect("x") }' }],
    });
    await expect(failure).rejects.toThrow(
      /wrongly rejected sync-but-fine \(2\/3\): async-fn[\s\S]*wrongly accepted sneaky/,
    );
  });
});

describe("rungsMatchers", () => {
  it("is the object to pass to expect.extend", () => {
    expect(Object.keys(rungsMatchers).sort()).toEqual(["toBeCalibratedOn", "toSatisfyRubric"]);
  });
});
