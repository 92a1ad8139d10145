import { describe, expect, it } from "vitest";
import { builtinDetectors } from "../src/detectors/builtin-detectors.js";
import { DETECTOR_IDS } from "../src/index.js";
import { AllowList } from "../src/text/allow-list.js";
import { TextRedactor } from "../src/text/text-redactor.js";
import type { LabelledCase } from "./corpus/labelled-case.js";
import { PII_CORPUS } from "./corpus/pii.js";
import { SECRETS_CORPUS } from "./corpus/secrets.js";

const corpus: readonly LabelledCase[] = [...PII_CORPUS, ...SECRETS_CORPUS];
const scanner = new TextRedactor(
  [...builtinDetectors({ phoneRegion: "US" }).values()].map((detector) => ({
    detector,
    mode: "mask" as const,
  })),
  new AllowList(),
  undefined,
);

interface Score {
  positives: number;
  negatives: number;
  truePositives: number;
  falsePositives: number;
  misses: string[];
  falseAlarms: string[];
}

/** Every finding of every detector on every text counts: a finding is right only where labelled. */
function score(): Map<string, Score> {
  const scores = new Map<string, Score>(
    DETECTOR_IDS.map((id) => [
      id,
      { positives: 0, negatives: 0, truePositives: 0, falsePositives: 0, misses: [], falseAlarms: [] },
    ]),
  );
  for (const c of corpus) {
    const own = scores.get(c.detector)!;
    if (c.secret === undefined) own.negatives++;
    else own.positives++;
    let found = false;
    for (const f of scanner.find(c.text)) {
      const value = c.text.slice(f.start, f.end);
      const s = scores.get(f.detector)!;
      if (c.secret !== undefined && f.detector === c.detector && value === c.secret && !found) {
        found = true;
        s.truePositives++;
      } else {
        s.falsePositives++;
        s.falseAlarms.push(`${f.detector} flagged ${JSON.stringify(value)} in ${JSON.stringify(c.text)}`);
      }
    }
    if (c.secret !== undefined && !found) own.misses.push(JSON.stringify(c.text));
  }
  return scores;
}

describe("labelled corpus", () => {
  const scores = score();

  it("has at least 30 positives and 30 look-alike negatives per detector", () => {
    for (const id of DETECTOR_IDS) {
      const s = scores.get(id)!;
      expect.soft(s.positives, id).toBeGreaterThanOrEqual(30);
      expect.soft(s.negatives, id).toBeGreaterThanOrEqual(30);
    }
  });

  it("reaches recall and precision ≥ 0.98 for every detector", () => {
    const table = DETECTOR_IDS.map((id) => {
      const s = scores.get(id)!;
      const recall = s.truePositives / s.positives;
      const flagged = s.truePositives + s.falsePositives;
      const precision = flagged === 0 ? 1 : s.truePositives / flagged;
      return { detector: id, positives: s.positives, negatives: s.negatives, recall, precision };
    });
    console.table(
      table.map((r) => ({ ...r, recall: r.recall.toFixed(3), precision: r.precision.toFixed(3) })),
    );
    for (const r of table) {
      const s = scores.get(r.detector)!;
      expect
        .soft(r.recall, `${r.detector} recall; missed: ${s.misses.join(" | ")}`)
        .toBeGreaterThanOrEqual(0.98);
      expect
        .soft(r.precision, `${r.detector} precision; false alarms: ${s.falseAlarms.join(" | ")}`)
        .toBeGreaterThanOrEqual(0.98);
    }
  });
});
