import { ConfigError } from "@pipekit/core";
import { describe, expect, it } from "vitest";
import { createRedactor, DETECTOR_IDS } from "../src/index.js";

const text = "ada@example.com paid with 4111 1111 1111 1111 from 203.0.113.9, SSN 078-05-1120";

describe("redact `only`", () => {
  it("runs the listed detectors and no other", () => {
    const r = createRedactor({ only: ["EMAIL", "CREDIT_CARD"] });
    expect(r.detectorIds).toEqual(["EMAIL", "CREDIT_CARD"]);
    expect(r.redactText(text).text).toBe(
      "[REDACTED:EMAIL] paid with [REDACTED:CREDIT_CARD] from 203.0.113.9, SSN 078-05-1120",
    );
    // Key-name blocking is a detector too (BLOCKED_KEY): off unless listed.
    expect(r.redactValue({ password: "hunter2" }).value).toEqual({ password: "hunter2" });
    const withKeys = createRedactor({ only: ["EMAIL", "BLOCKED_KEY"] });
    expect(withKeys.redactValue({ password: "hunter2" }).value).not.toEqual({ password: "hunter2" });
  });

  it("lets the listed detectors keep their per-detector modes", () => {
    const r = createRedactor({ only: ["EMAIL"], detectors: { EMAIL: { mode: "remove" } } });
    expect(r.redactText("to ada@example.com").text).toBe("to ");
  });

  it("rejects settings that contradict it, each with a clear problem at its own field", () => {
    const problems = (config: object): string[] => {
      try {
        createRedactor(config);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message
          .split("\n")
          .slice(1)
          .map((l) => l.trim());
      }
    };
    expect(problems({ only: ["EMAIL"], detectors: { EMAIL: { enabled: false } } })).toEqual([
      "detectors.EMAIL.enabled: EMAIL is listed in only and disabled here: remove it from one of the two; found boolean false",
    ]);
    expect(problems({ only: ["EMAIL"], detectors: { PHONE: { mode: "remove" } } })).toEqual([
      "detectors.PHONE: PHONE is configured here but not listed in only, so it would never run: add it to only or remove these settings",
    ]);
    expect(problems({ only: ["EMAIL"], detectors: { PHONE: { enabled: true } } })).toHaveLength(1);
    // Switching off what `only` leaves out anyway agrees with it.
    expect(problems({ only: ["EMAIL"], detectors: { PHONE: { enabled: false } } })).toEqual([]);
    expect(problems({ only: ["EMIAL"] })[0]).toMatch(
      /^only\[0\]: unknown detector "EMIAL" \(known: PRIVATE_KEY, /,
    );
    expect(problems({ only: [] })[0]).toMatch(/^only: lists no detector/);
    expect(problems({ only: ["EMAIL"], custom: [{ name: "TICKET", pattern: "T-\\d+" }] })).toEqual([
      "custom[0]: custom detector TICKET is not listed in only, so it would never run: add it to only",
    ]);
    expect(problems({ only: ["TICKET"], custom: [{ name: "TICKET", pattern: "T-\\d+" }] })).toEqual([]);
  });

  it("without it every detector runs, as before", () => {
    expect(createRedactor().detectorIds).toEqual([...DETECTOR_IDS]);
  });
});
