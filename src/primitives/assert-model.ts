import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { Model } from "../model.js";

/** @throws InvalidArgumentError unless `model` has an `id` and a `generate` function. */
export function assertModel(fnName: string, model: unknown, parameter = "model"): asserts model is Model {
  const candidate = model as Partial<Model> | null | undefined;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.generate !== "function" ||
    typeof candidate.id !== "string"
  ) {
    throw new InvalidArgumentError({
      parameter,
      value: model,
      message: `${fnName}: "${parameter}" must be a Model ({ id, generate(request, options) }), e.g. from defineModel or fromFunction.`,
    });
  }
}
