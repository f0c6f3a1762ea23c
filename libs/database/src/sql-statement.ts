/** Adds a value to a statement's parameters and returns its placeholder (`$n`, with `::cast` when given). */
export type SqlParam = (value: unknown, cast?: string) => string;

/** A part of a statement (CTEs, a condition) written by the module that owns its table, numbering its values with `param`. */
export type SqlFragment = (param: SqlParam) => string;

/**
 * A statement put together from fragments of several owners, each numbering its own parameters: the text, and the
 * values in placeholder order. The same fragments give the same text, so a named (prepared) statement fits it.
 */
export function composeStatement(build: (param: SqlParam) => string): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param: SqlParam = (value, cast) => {
    values.push(value);
    return cast ? `$${values.length}::${cast}` : `$${values.length}`;
  };
  return { text: build(param), values };
}
