import type { Detector, Finding } from "./detector.js";

const HEADER = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
/** A body line: base64 (or an RFC 1421 header such as "Proc-Type: 4,ENCRYPTED") then a newline, also escaped ("\n") inside JSON text. */
const BODY_LINE = /(?:[A-Za-z0-9+/=]+|[A-Za-z-]+: [A-Za-z0-9,-]+)(?:\r?\n|\\r?\\n)?/y;
const LEADING_NEWLINE = /(?:\r?\n|\\r?\\n)/y;
const MIN_BODY = 20;

/** PEM / OpenSSH / PGP private key blocks, header to footer (or to the end of the body when cut off). */
export const privateKeyDetector: Detector = {
  id: "PRIVATE_KEY",
  literals: ["-----BEGIN "],
  mayMatch: (text) => text.includes("PRIVATE KEY"),
  find(text: string, out: Finding[]): void {
    HEADER.lastIndex = 0;
    for (let m = HEADER.exec(text); m !== null; m = HEADER.exec(text)) {
      const bodyStart = m.index + m[0].length;
      const footer = `-----END ${m[1]}-----`;
      const footerAt = text.indexOf(footer, bodyStart);
      let bodyEnd: number;
      let end: number;
      if (footerAt !== -1) {
        bodyEnd = footerAt;
        end = footerAt + footer.length;
      } else {
        // Truncated key (logs cut long values): the body lines still are the secret.
        LEADING_NEWLINE.lastIndex = bodyStart;
        let i = LEADING_NEWLINE.exec(text) ? LEADING_NEWLINE.lastIndex : bodyStart;
        let lastBase64 = i;
        for (;;) {
          BODY_LINE.lastIndex = i;
          const line = BODY_LINE.exec(text);
          if (!line) break;
          i = BODY_LINE.lastIndex;
          lastBase64 = line.index + line[0].replace(/(?:\r?\n|\\r?\\n)$/, "").length;
        }
        bodyEnd = lastBase64;
        end = lastBase64;
      }
      if (countBase64(text, bodyStart, bodyEnd) < MIN_BODY) continue;
      out.push({ detector: "PRIVATE_KEY", start: m.index, end });
      HEADER.lastIndex = end;
    }
  },
};

function countBase64(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47) n++;
  }
  return n;
}
