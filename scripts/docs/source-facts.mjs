// The facts the documentation's tables state, read from the source with the TypeScript compiler (never with
// regexes over code), so a renamed event, limit, option or error class changes the tables with it:
// subpaths (package.json#exports and tsup's entries), error classes, exhaustion limits, events, skip reasons,
// CallOptions fields and Generation's fields. Every symbol is looked up by its exported name on the public entries; a name that
// is gone fails with the name to update here.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** The public types the tables describe, by exported name. Renaming one of them means updating this. */
export const names = {
  eventMap: "RungsEventMap",
  skipReason: "SkipReason",
  exhaustionLimit: "ExhaustionLimit",
  budgetError: "BudgetExhaustedError",
  callOptions: "CallOptions",
  generation: "Generation",
};

/**
 * Reads the facts from the repository at `root`.
 * @returns `{ subpaths, errors, limits, events, skipReasons, callOptions, generation }`, lists of plain rows.
 * @throws Error naming the missing export or entry when the source no longer has what a table needs.
 */
export function readSourceFacts(root) {
  const entries = tsupEntries(root);
  const program = ts.createProgram(
    entries.map((entry) => join(root, entry.source)),
    compilerOptions(root),
  );
  const checker = program.getTypeChecker();
  const exportsByEntry = new Map();
  for (const entry of entries) {
    const file = program.getSourceFile(join(root, entry.source));
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`source-facts: cannot read the entry ${entry.source}`);
    exportsByEntry.set(entry, checker.getExportsOfModule(moduleSymbol));
  }
  const rootEntry = entries.find((entry) => entry.name === "index");
  if (!rootEntry) throw new Error("source-facts: tsup.config.ts has no `index` entry");
  const exported = (name) => {
    const symbol = exportsByEntry.get(rootEntry).find((candidate) => candidate.name === name);
    if (!symbol)
      throw new Error(
        `source-facts: \`${name}\` is no longer exported from ${rootEntry.source}; update \`names\` in scripts/docs/source-facts.mjs`,
      );
    return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };
  const srcFiles = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && relative(root, file.fileName).startsWith("src/"));

  const limitSymbol = exported(names.exhaustionLimit);
  const budgetSymbol = exported(names.budgetError);
  const budgetFile = budgetSymbol.valueDeclaration?.getSourceFile();
  const limitProducers = producers(checker, srcFiles, limitSymbol, root);
  const limitDocs = bulletDocs(docOf(checker, limitSymbol));
  const limits = unionMembers(checker, limitSymbol).map((value) => ({
    value,
    doc: limitDocs.get(value) ?? "",
    producedIn: limitProducers.get(value) ?? [],
    fromBudget: budgetFile !== undefined && (limitProducers.get(value) ?? []).includes(rel(root, budgetFile)),
  }));

  const skipSymbol = exported(names.skipReason);
  const skipProducers = producers(checker, srcFiles, skipSymbol, root);
  const skipDocs = memberDocs(skipSymbol);
  const skipReasons = unionMembers(checker, skipSymbol).map((value) => ({
    value,
    doc: skipDocs.get(value) ?? "",
    producedIn: skipProducers.get(value) ?? [],
  }));

  const mapSymbol = exported(names.eventMap);
  const eventBase = new Set(["path", "timestamp"]);
  const events = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(mapSymbol)).map((member) => {
    const listener = checker.getTypeOfSymbol(member);
    const parameter = listener.getCallSignatures()[0]?.getParameters()[0];
    const payload = parameter ? checker.getTypeOfSymbol(parameter) : undefined;
    return {
      name: member.name,
      doc: docOf(checker, member),
      payload: payload ? checker.typeToString(payload) : "",
      fields: payload
        ? checker
            .getPropertiesOfType(payload)
            .map((field) => field.name)
            .filter((field) => !eventBase.has(field))
        : [],
    };
  });

  const optionsSymbol = exported(names.callOptions);
  const callOptions = checker
    .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(optionsSymbol))
    .map((member) => {
      const declaration = member.valueDeclaration;
      const typeNode = declaration && ts.isPropertySignature(declaration) ? declaration.type : undefined;
      const defaultTag = member.getJsDocTags(checker).find((tag) => tag.name === "default");
      return {
        name: member.name,
        type: typeNode ? typeNode.getText() : checker.typeToString(checker.getTypeOfSymbol(member)),
        doc: docOf(checker, member),
        default: defaultTag ? ts.displayPartsToString(defaultTag.text).trim() : undefined,
      };
    });

  const generation = checker
    .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(exported(names.generation)))
    .map((member) => ({ name: member.name, optional: (member.flags & ts.SymbolFlags.Optional) !== 0 }));

  const errors = [];
  const seen = new Set();
  for (const entry of entries) {
    for (const symbol of exportsByEntry.get(entry)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (!(target.flags & ts.SymbolFlags.Class) || seen.has(target)) continue;
      const chain = baseChain(checker, target);
      if (!chain.includes("Error")) continue;
      seen.add(target);
      errors.push({
        name: symbol.name,
        subpath: entry.subpath,
        extends: chain[0],
        doc: docOf(checker, target),
        fields: ownFields(target),
      });
    }
  }

  const subpaths = Object.keys(packageJson(root).exports ?? {})
    .filter((key) => key !== "./package.json")
    .map((key) => {
      const subpath = key === "." ? "rungs" : `rungs/${key.slice(2)}`;
      const entry = entries.find((candidate) => candidate.subpath === subpath);
      const target = packageJson(root).exports[key];
      return typeof target === "string"
        ? { subpath, source: undefined, file: target.replace(/^\.\//, ""), doc: "" }
        : { subpath, source: entry?.source, doc: entry ? moduleDoc(program, root, entry) : "" };
    });

  return { subpaths, errors, limits, events, skipReasons, callOptions, generation };
}

function compilerOptions(root) {
  const path = join(root, "tsconfig.json");
  const config = ts.readConfigFile(path, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

function packageJson(root) {
  return JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
}

/**
 * tsup's `entry` object (one bundle per subpath), read from tsup.config.ts's syntax tree; each entry's
 * subpath is the export whose `default` file is `dist/<name>.js`.
 */
function tsupEntries(root) {
  const path = join(root, "tsup.config.ts");
  const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  let entryObject;
  const visit = (node) => {
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText(file) === "entry" &&
      ts.isObjectLiteralExpression(node.initializer)
    )
      entryObject = node.initializer;
    else ts.forEachChild(node, visit);
  };
  visit(file);
  if (!entryObject) throw new Error("source-facts: tsup.config.ts has no `entry: { ... }` object");
  const exportsMap = packageJson(root).exports ?? {};
  const subpathOf = (name) => {
    for (const [key, value] of Object.entries(exportsMap)) {
      if (JSON.stringify(value).includes(`"./dist/${name}.js"`))
        return key === "." ? "rungs" : `rungs/${key.slice(2)}`;
    }
    return undefined;
  };
  return entryObject.properties.filter(ts.isPropertyAssignment).map((property) => {
    const name = ts.isStringLiteral(property.name) ? property.name.text : property.name.getText(file);
    if (!ts.isStringLiteral(property.initializer))
      throw new Error(`source-facts: tsup entry \`${name}\` is not a string literal`);
    return { name, source: property.initializer.text, subpath: subpathOf(name) };
  });
}

/** The summary of an entry's module comment, without its `rungs/x:` lead. */
function moduleDoc(program, root, entry) {
  const file = program.getSourceFile(join(root, entry.source));
  const text = file.getFullText();
  const comment = ts.getLeadingCommentRanges(text, 0)?.find((range) => text.startsWith("/**", range.pos));
  if (!comment) return "";
  const body = cleanComment(text.slice(comment.pos, comment.end));
  return oneLine(body.split(/\n\s*\n|\n@[a-z]+(?:\s|$)/)[0] ?? "").replace(/^rungs(\/[\w.-]+)?:\s*/, "");
}

function cleanComment(raw) {
  return raw
    .replace(/^\/\*\*|\*\/$/g, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}

function docOf(checker, symbol) {
  return ts
    .displayPartsToString(symbol.getDocumentationComment(checker))
    .replace(/\{@link\s+([^}|\s]+)\s*(?:\|[^}]*)?\}/g, "`$1`")
    .trim();
}

/** The string literal members of a union type alias, in declaration order. */
function unionMembers(checker, aliasSymbol) {
  const declaration = aliasSymbol.declarations?.find(ts.isTypeAliasDeclaration);
  if (declaration && ts.isUnionTypeNode(declaration.type)) {
    return declaration.type.types
      .filter((member) => ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal))
      .map((member) => member.literal.text);
  }
  const type = checker.getDeclaredTypeOfSymbol(aliasSymbol);
  const members = type.isUnion() ? type.types : [type];
  return members.filter((member) => member.isStringLiteral()).map((member) => member.value);
}

/** `- \`value\`: words` bullets of a type's doc comment, by value. */
function bulletDocs(doc) {
  const out = new Map();
  for (const item of doc.split(/\n(?=\s*- )/)) {
    const match = /^\s*- `([^`]+)`:?\s*([\s\S]*)$/.exec(item);
    if (match?.[1]) out.set(match[1], oneLine(match[2] ?? "").replace(/[;.]$/, ""));
  }
  return out;
}

/** The `/** ... *\/` comment written above each member of a union type alias, by value. */
function memberDocs(aliasSymbol) {
  const out = new Map();
  const declaration = aliasSymbol.declarations?.find(ts.isTypeAliasDeclaration);
  if (!declaration || !ts.isUnionTypeNode(declaration.type)) return out;
  const text = declaration.getSourceFile().getFullText();
  let previousEnd = declaration.type.pos;
  for (const member of declaration.type.types) {
    // A member's comment sits before its `|`, so read the trivia since the previous member ended.
    const trivia = text.slice(previousEnd, member.getStart());
    previousEnd = member.end;
    if (!ts.isLiteralTypeNode(member) || !ts.isStringLiteral(member.literal)) continue;
    const doc = [...trivia.matchAll(/\/\*\*[\s\S]*?\*\//g)]
      .map((match) => oneLine(cleanComment(match[0])))
      .join(" ");
    if (doc) out.set(member.literal.text, doc.replace(/\.$/, ""));
  }
  return out;
}

/**
 * Where each member of a string union is produced: the src files holding a string literal whose contextual
 * type is the union (an assignment, a return, an argument, a property of an object of that type), not a
 * comparison or a `case` label, which only read it.
 */
function producers(checker, files, aliasSymbol, root) {
  const union = checker.getDeclaredTypeOfSymbol(aliasSymbol);
  const members = new Set(union.isUnion() ? union.types : [union]);
  const values = new Set(
    [...members].filter((member) => member.isStringLiteral()).map((member) => member.value),
  );
  const out = new Map();
  for (const file of files) {
    const visit = (node) => {
      if (
        (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
        values.has(node.text) &&
        !isReadOnly(node) &&
        !ts.isLiteralTypeNode(node.parent)
      ) {
        const contextual = checker.getContextualType(node);
        const constituents = contextual ? (contextual.isUnion() ? contextual.types : [contextual]) : [];
        if ([...members].every((member) => constituents.includes(member))) {
          const literal = [...members].find(
            (member) => member.isStringLiteral() && member.value === node.text,
          );
          if (literal) {
            const list = out.get(node.text) ?? [];
            const where = rel(root, file);
            if (!list.includes(where)) list.push(where);
            out.set(node.text, list);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (const list of out.values()) list.sort();
  return out;
}

function isReadOnly(node) {
  const parent = node.parent;
  if (ts.isCaseClause(parent)) return true;
  if (ts.isBinaryExpression(parent)) {
    const kind = parent.operatorToken.kind;
    return (
      kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      kind === ts.SyntaxKind.EqualsEqualsToken ||
      kind === ts.SyntaxKind.ExclamationEqualsToken
    );
  }
  return false;
}

/** Class names from the class's own base up to the root (`["RungsError", "Error"]`). */
function baseChain(checker, classSymbol) {
  const chain = [];
  let type = checker.getDeclaredTypeOfSymbol(classSymbol);
  for (let depth = 0; depth < 20; depth += 1) {
    const base = type.isClassOrInterface() ? checker.getBaseTypes(type)[0] : undefined;
    if (!base?.symbol) break;
    chain.push(base.symbol.name);
    type = base;
  }
  return chain;
}

/** The public fields and getters a class declares itself (not inherited, not `name`). */
function ownFields(classSymbol) {
  const declaration = classSymbol.valueDeclaration;
  if (!declaration || !ts.isClassDeclaration(declaration)) return [];
  return declaration.members
    .filter(
      (member) =>
        (ts.isPropertyDeclaration(member) || ts.isGetAccessorDeclaration(member)) &&
        member.name &&
        ts.isIdentifier(member.name) &&
        member.name.text !== "name" &&
        (ts.getCombinedModifierFlags(member) &
          (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) ===
          0,
    )
    .map((member) => member.name.text);
}

function rel(root, file) {
  return relative(root, file.fileName).split("\\").join("/");
}
