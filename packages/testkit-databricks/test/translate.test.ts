import { describe, expect, it } from "vitest";
import { paginate } from "../src/http/pagination.js";
import { Grants } from "../src/permissions/grants.js";
import { SqlError } from "../src/sql/sql-error.js";
import { parseTableName, translateSql } from "../src/sql/translate.js";

describe("translateSql", () => {
  it("turns backticks into DuckDB identifiers and :params into typed casts", () => {
    const out = translateSql(
      "SELECT `a`.`b` FROM `c`.`d`.`e` WHERE t >= :since AND s = ':notparam' AND x::INT = :n",
      [
        { name: "since", type: "TIMESTAMP", value: "2026-01-01T00:00:00.000Z" },
        { name: "n", type: "INTEGER", value: "5" },
      ],
    );
    expect(out.sql).toBe(
      `SELECT "a"."b" FROM "c"."d"."e" WHERE t >= CAST($since AS TIMESTAMP) AND s = ':notparam' AND x::INT = CAST($n AS INTEGER)`,
    );
    expect(out.values).toEqual({ since: "2026-01-01T00:00:00.000Z", n: "5" });
  });

  it("binds a parameter without value as NULL and reports unbound ones like Databricks", () => {
    expect(translateSql("SELECT :x", [{ name: "x" }]).sql).toBe("SELECT NULL");
    expect(() => translateSql("SELECT :missing")).toThrow(SqlError);
    expect(() => translateSql("SELECT :missing")).toThrow(
      /^\[UNBOUND_SQL_PARAMETER\] Found the unbound parameter: missing\./,
    );
  });

  it("parses DuckDB's qualified table names", () => {
    expect(parseTableName('workspace."default".t AS a')).toEqual(["workspace", "default", "t"]);
    expect(parseTableName('"we""ird".x')).toEqual(['we"ird', "x"]);
  });
});

describe("Grants", () => {
  it("inherits privileges from containers and names the first missing one", () => {
    const g = new Grants();
    g.grant("p", "USE CATALOG", "c");
    g.grant("p", "USE SCHEMA", "c.s");
    expect(g.missingFor("p", "c", "s", "t")).toBe("User does not have SELECT on Table 'c.s.t'.");
    g.grant("p", "SELECT", "c.s");
    expect(g.missingFor("p", "c", "s", "t")).toBeUndefined();
    g.revoke("p", "USE SCHEMA", "c.s");
    expect(g.missingFor("p", "c", "s", "t")).toBe("User does not have USE SCHEMA on Schema 'c.s'.");
    g.grant("p", "ALL PRIVILEGES", "c");
    expect(g.missingFor("p", "c", "s", "t", "MODIFY")).toBeUndefined();
  });
});

describe("paginate", () => {
  it("serves short pages, an empty page before the last, and ends only without a token", () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ max_results: "3" });
      if (token) q.set("page_token", token);
      const r = paginate(items, q, { pageSize: 5, emptyPageBeforeLast: true });
      pages.push(r.page);
      token = r.nextPageToken;
    } while (token);
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [], [7]]);
  });

  it("rejects a forged page token with 400", () => {
    expect(() =>
      paginate([1], new URLSearchParams({ page_token: "garbage" }), {
        pageSize: 5,
        emptyPageBeforeLast: false,
      }),
    ).toThrow(/Invalid page_token/);
  });
});
