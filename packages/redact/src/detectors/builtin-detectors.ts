import type { CountryCode } from "libphonenumber-js/max";
import { authHeaderDetector } from "./auth-header.js";
import type { Detector } from "./detector.js";
import { type BuiltinDetectorId, DETECTOR_IDS } from "./detector-ids.js";
import { emailDetector } from "./email.js";
import { genericSecretDetector } from "./generic-secret.js";
import { ibanDetector } from "./iban.js";
import { ipAddressDetector } from "./ip-address.js";
import { jwtDetector } from "./jwt.js";
import { paymentCardDetector } from "./payment-card.js";
import { phoneDetector } from "./phone.js";
import { privateKeyDetector } from "./private-key.js";
import { urlPasswordDetector } from "./url-password.js";
import { usSsnDetector } from "./us-ssn.js";
import { vendorKeyDetectors } from "./vendor-keys.js";

export interface BuiltinOptions {
  /** Region whose national phone formats are recognised without a +country prefix. */
  readonly phoneRegion: CountryCode;
}

/** Every built-in detector, in DETECTOR_IDS (priority) order. */
export function builtinDetectors(options: BuiltinOptions): ReadonlyMap<BuiltinDetectorId, Detector> {
  const all: Detector[] = [
    privateKeyDetector,
    jwtDetector,
    ...vendorKeyDetectors,
    authHeaderDetector,
    urlPasswordDetector,
    genericSecretDetector,
    emailDetector,
    ibanDetector,
    paymentCardDetector,
    usSsnDetector,
    phoneDetector(options.phoneRegion),
    ipAddressDetector,
  ];
  const byId = new Map(all.map((d) => [d.id, d]));
  return new Map(DETECTOR_IDS.map((id) => [id, byId.get(id)!]));
}
