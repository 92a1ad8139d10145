import { describe, expect, it } from "vitest";
import * as root from "../src/index.js";

describe("the root entry", () => {
  it("is only the components list a registry registers", () => {
    expect(Object.keys(root)).toEqual(["components"]);
    expect(root.components.map((c) => `${c.kind}:${c.type}`)).toEqual([
      "transform:akto_mapping",
      "sink:akto_http",
    ]);
  });
});
