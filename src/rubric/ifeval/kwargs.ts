import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import type { InstructionKwargs } from "./types.js";

function refuse(name: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError({
    parameter: `kwargs.${name}`,
    value,
    message: `IFEval kwargs.${name} must be ${expected}; got ${JSON.stringify(value) ?? String(value)}`,
  });
}

/** A required string kwarg. @throws InvalidArgumentError when it is missing or not a string. */
export function stringArg(kwargs: InstructionKwargs, name: string): string {
  const value = kwargs[name];
  return typeof value === "string" ? value : refuse(name, value, "a string");
}

/** A required non-negative integer kwarg. @throws InvalidArgumentError otherwise. */
export function countArg(kwargs: InstructionKwargs, name: string): number {
  const value = kwargs[name];
  return typeof value === "number" && Number.isInteger(value) && value >= 0
    ? value
    : refuse(name, value, "a non-negative integer");
}

/** A required list-of-strings kwarg. @throws InvalidArgumentError otherwise. */
export function stringsArg(kwargs: InstructionKwargs, name: string): readonly string[] {
  const value = kwargs[name];
  return Array.isArray(value) && value.every((item) => typeof item === "string")
    ? (value as readonly string[])
    : refuse(name, value, "a list of strings");
}

/** A comparison kwarg: `"less than"` or `"at least"`. @throws InvalidArgumentError otherwise. */
export function relationArg(kwargs: InstructionKwargs, name: string): "less than" | "at least" {
  const value = kwargs[name];
  return value === "less than" || value === "at least"
    ? value
    : refuse(name, value, '"less than" or "at least"');
}
