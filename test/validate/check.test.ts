import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  array,
  boolean,
  literal,
  number,
  object,
  oneOf,
  record,
  string,
  union,
} from "../../src/validate/check.js";

describe("option checks", () => {
  it("numbers: finite, whole when asked, within the range, each with its own message", () => {
    const positiveInt = number({ int: true, min: 1 });
    expect(positiveInt.problem(3)).toBeUndefined();
    expect(positiveInt.problem(0)?.message).toBe("must be at least 1");
    expect(positiveInt.problem(1.5)?.message).toBe("must be a whole number");
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "3", null, undefined, 3n]) {
      expect(positiveInt.problem(bad)?.message).toBe("must be a finite number");
    }
    expect(number({ min: 0 }).problem(-1)?.message).toBe("must be 0 or more");
    expect(number({ greaterThan: 0 }).problem(0)?.message).toBe("must be greater than 0");
    expect(number({ min: 0, max: 1 }).problem(1.01)?.message).toBe("must be at least 0 and at most 1");
    expect(number({ min: 1, max: 100 }).problem(0)?.message).toBe("must be at least 1 and at most 100");
    expect(number({ max: 20 }).problem(21)?.message).toBe("must be at most 20");
  });

  it("a number check accepts exactly the finite numbers in range, for all inputs", () => {
    const check = number({ int: true, min: -2, max: 100 });
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer({ min: -10, max: 200 })), (value) => {
        const ok = Number.isInteger(value) && value >= -2 && value <= 100;
        expect(check.problem(value) === undefined).toBe(ok);
      }),
    );
  });

  it("strings, booleans, literals and enumerations", () => {
    expect(string({ nonEmpty: true }).problem("")?.message).toBe("must not be empty");
    expect(string({ nonEmpty: true }).problem(1)?.message).toBe("must be a non-empty string");
    expect(string({ maxLength: 3 }).problem("abcd")?.message).toBe("must be at most 3 characters");
    expect(boolean().problem("true")?.message).toBe("must be true or false");
    expect(literal(1).problem(2)?.message).toBe("must be 1");
    expect(oneOf(["a", "b", "c"]).problem("d")?.message).toBe('must be "a", "b" or "c"');
    expect(oneOf(["a", "b"]).problem("a")).toBeUndefined();
  });

  it("optional checks accept undefined and nothing else new", () => {
    const check = number({ min: 1 }).optional();
    expect(check.isOptional).toBe(true);
    expect(check.problem(undefined)).toBeUndefined();
    expect(check.problem(0)?.message).toBe("must be at least 1");
    expect(check.optional()).toBe(check);
  });

  it("objects report an unknown key first, with the keys they take, then keys in shape order", () => {
    const check = object({ model: string({ nonEmpty: true }), maxAttempts: number({ min: 1 }).optional() });
    expect(check.problem({ model: "m" })).toBeUndefined();
    expect(check.problem({ modle: "m", maxAttempts: 0 })).toEqual({
      path: ["modle"],
      message: "is not an option",
      unknownKey: { known: ["model", "maxAttempts"] },
    });
    expect(check.problem({ model: "m", maxAttempts: 0 })).toEqual({
      path: ["maxAttempts"],
      message: "must be at least 1",
    });
    expect(check.problem({})).toEqual({
      path: ["model"],
      message: "must be a non-empty string",
      missing: true,
    });
    for (const notObject of ["qwen3", null, [], 3]) {
      expect(check.problem(notObject)).toEqual({ path: [], message: "must be an object" });
    }
    expect(object({}, { unknownKeys: "allow" }).problem({ anything: 1 })).toBeUndefined();
  });

  it("objects run their cross-key checks once every key passed", () => {
    const check = object(
      { min: number().optional(), max: number().optional() },
      {
        refine: [
          (o) =>
            o.min !== undefined && o.max !== undefined && o.min > o.max
              ? { path: ["min"], message: "must not be greater than max" }
              : undefined,
        ],
      },
    );
    expect(check.problem({ min: 1, max: 2 })).toBeUndefined();
    expect(check.problem({ min: 3, max: 2 })?.message).toBe("must not be greater than max");
    expect(check.problem({ min: "3", max: 2 })?.message).toBe("must be a finite number");
  });

  it("arrays and records name the bad item's index or key", () => {
    const list = array(number({ min: 0 }), { min: 1, minMessage: "must hold at least one" });
    expect(list.problem([1, 2, -1])).toEqual({ path: [2], message: "must be 0 or more" });
    expect(list.problem([])?.message).toBe("must hold at least one");
    expect(list.problem("x")?.message).toBe("must be an array");
    const headers = record(string());
    expect(headers.problem({ a: "x", b: 2 })).toEqual({ path: ["b"], message: "must be a string" });
    expect(headers.problem(["x"])?.message).toBe("must be an object");
  });

  it("unions report the one alternative the value was meant for, else their own message", () => {
    const budget = union(
      [
        object({ chars: number({ int: true, min: 1 }) }),
        object({ tokens: number({ min: 1 }), count: boolean() }),
      ],
      "must be { chars } or { tokens, count }",
    );
    expect(budget.problem({ chars: 10 })).toBeUndefined();
    expect(budget.problem({ chars: 0 })).toEqual({ path: ["chars"], message: "must be at least 1" });
    expect(budget.problem({ bytes: 10 })).toEqual({
      path: [],
      message: "must be { chars } or { tokens, count }",
    });
    expect(budget.problem(7)?.message).toBe("must be { chars } or { tokens, count }");
  });
});
