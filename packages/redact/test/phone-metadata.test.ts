import examples from "libphonenumber-js/examples.mobile.json";
import { type CountryCode, getCountryCallingCode, isValidPhoneNumber } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { internationalSurelyValid } from "../src/detectors/phone-metadata.js";

describe("internationalSurelyValid", () => {
  it("says yes only where libphonenumber says valid, and yes to every region's example number", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const wrong: string[] = [];
    let accepted = 0;
    for (const [region, national] of Object.entries(examples as Record<string, string>)) {
      const code = getCountryCallingCode(region as CountryCode);
      expect(internationalSurelyValid(code + national), `${region} example`).toBe(true);
      // Mutated numbers: a changed digit, one digit fewer or more.
      for (let k = 0; k < 20; k++) {
        const digits = national.split("");
        digits[Math.floor(random() * digits.length)] = String(Math.floor(random() * 10));
        if (random() < 0.3) digits.pop();
        if (random() < 0.3) digits.push(String(Math.floor(random() * 10)));
        const e164 = code + digits.join("");
        if (!internationalSurelyValid(e164)) continue;
        accepted++;
        if (!isValidPhoneNumber(`+${e164}`)) wrong.push(e164);
      }
    }
    expect(wrong).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
  });
});
