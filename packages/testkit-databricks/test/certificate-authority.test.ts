import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTlsMaterial } from "../src/index.js";

describe("createTlsMaterial", () => {
  // The old serial ("00" + random bytes) was non-minimal DER about once in 700 certificates; OpenSSL
  // refuses those, and a client then fails with UNABLE_TO_VERIFY_LEAF_SIGNATURE. 3,000 pairs (6,000
  // certificates) would meet such a one with probability above 99.98%.
  it("makes certificates OpenSSL parses, whose server certificate chains to the CA, every time", async () => {
    const refused: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const tls = await createTlsMaterial();
      try {
        const ca = new X509Certificate(tls.caPem);
        const leaf = new X509Certificate(tls.certPem);
        if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey))
          refused.push(`pair ${i}: not issued by its CA`);
        if (!leaf.checkIP("127.0.0.1") || !leaf.checkHost("localhost"))
          refused.push(`pair ${i}: wrong names`);
      } catch (error) {
        refused.push(`pair ${i}: ${(error as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
