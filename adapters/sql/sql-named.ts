import type { SqlStatement, SqlValue } from "./sql-driver.js";

/**
 * A statement written with `:name` placeholders, compiled once into SQL with anonymous `?`
 * parameters (better-sqlite3 binds no numbered `?NNN`, D1 and sql.js bind both) and the order of
 * the names; a name may occur several times. Calling it binds the values by name. Guarantees:
 * the SQL text is the same for every call (one prepared statement per driver), and a value
 * missing from `values` throws instead of binding `undefined`.
 *
 * @example
 * const byId = namedStatement("SELECT * FROM t WHERE id = :id OR parent = :id");
 * driver.all(byId({ id: "e" })); // params ["e", "e"]
 */
export function namedStatement<Name extends string>(text: string): (values: Readonly<Record<Name, SqlValue>>) => SqlStatement {
  const names: Name[] = [];
  const sql = text.replace(/:([a-z][A-Za-z0-9]*)/g, (_, name: string) => {
    names.push(name as Name);
    return "?";
  });
  return (values) => ({
    sql,
    params: names.map((name) => {
      const value = values[name];
      if (value === undefined) throw new TypeError(`no value for :${name} in ${sql.slice(0, 60)}...`);
      return value;
    }),
  });
}
