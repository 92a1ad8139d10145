import { type Detector, type Finding, scanRegex } from "./detector.js";

/** header.payload.signature, base64url; the header of every JWT/JWS starts with `{"` → "eyJ". */
const JWT_RE = /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{2,}\.[\w-]*(?![\w-])/g;

export const jwtDetector: Detector = {
  id: "JWT",
  literals: ["eyJ"],
  find(text: string, out: Finding[]): void {
    scanRegex(JWT_RE, text, "JWT", out, (m) => {
      const [header, payload, signature] = m[0].split(".") as [string, string, string];
      const head = decodeJsonObject(header);
      if (!head || typeof head.alg !== "string") return undefined;
      if (!decodeJsonObject(payload)) return undefined;
      // Only unsecured tokens ("alg":"none") may lack a signature.
      if (head.alg.toLowerCase() !== "none" && signature.length < 16) return undefined;
      return [m.index, m.index + m[0].length];
    });
  },
};

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
