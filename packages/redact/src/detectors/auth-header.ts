import { type Detector, type Finding, scanRegex, suffixSpan } from "./detector.js";
import { charClasses, looksLikePlaceholder } from "./validators.js";

/**
 * The credential of an `Authorization: Bearer|Basic|Token …` value. Only the credential is
 * redacted: the scheme stays, so Akto still sees how the API is authenticated.
 */
const AUTH_RE = /\b(Bearer|Basic|Token)[ \t]+([A-Za-z0-9\-._~+/]+=*)/gi;

export const authHeaderDetector: Detector = {
  id: "AUTH_HEADER",
  find(text: string, out: Finding[]): void {
    scanRegex(AUTH_RE, text, "AUTH_HEADER", out, (m) => {
      const scheme = m[1]!.toLowerCase();
      const credential = m[2]!;
      const ok = scheme === "basic" ? basicCredential(credential) : tokenCredential(credential);
      return ok ? suffixSpan(m, credential) : undefined;
    });
  },
};

/** Basic credentials are base64("user:password"). */
function basicCredential(credential: string): boolean {
  if (credential.length < 8 || !/^[A-Za-z0-9+/]+=*$/.test(credential)) return false;
  const decoded = Buffer.from(credential, "base64").toString("latin1");
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
}

/** A bearer token is not an English word ("bearer of bad news", "Token count"). */
function tokenCredential(credential: string): boolean {
  if (credential.length < 8 || looksLikePlaceholder(credential)) return false;
  if (/^[A-Za-z][a-z]*$/.test(credential)) return false;
  return credential.length >= 20 || charClasses(credential) >= 2;
}
