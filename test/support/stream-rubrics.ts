// The rubrics the streaming tests share: a rule that judges prefixes, and the ladder scenario around it.
import { defineRubric, predicate, type Rule } from "../../src/index.js";

/** A custom rule that judges prefixes: once "TODO" is written, no ending can remove it. */
export const noTodo: Rule = {
  id: "no-todo",
  check: (text) => !text.includes("TODO"),
  checkPrefix: (prefix) => !prefix.includes("TODO"),
};

/** `noTodo` alone, as a rubric of its own id. */
export const noTodoRubric = defineRubric({ id: "no-todo", rules: [noTodo] });

/** The three-rung scenario's rubric: no TODO (judged on prefixes) and the answer names Paris. */
export const capitalRubric = defineRubric({
  id: "capital",
  rules: [noTodo, predicate("names-paris", (text: string) => text.includes("Paris"))],
});

/** An answer a prefix check rejects early: a TODO first, then plenty more. */
export const todoFirst = `TODO fill this in later. ${"and more words ".repeat(40)}`;
