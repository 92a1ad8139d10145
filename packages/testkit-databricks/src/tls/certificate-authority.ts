import { constants, generateKeyPair, privateEncrypt, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";

const generateKeyPairAsync = promisify(generateKeyPair);

/** PEM material for an HTTPS server whose certificate chains to a CA created at start-up. */
export interface TlsMaterial {
  /** The CA certificate clients must trust (e.g. the driver's `customCaCert`). */
  caPem: string;
  /** Server certificate (signed by the CA) for "localhost" and 127.0.0.1. */
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a throw-away CA and a server certificate signed by it. node-forge only builds the X.509
 * structures: keys come from Node's native generator on the thread pool and signatures from Node's
 * native RSA, because forge's pure-JS big-number code costs hundreds of milliseconds per start.
 * The two RSA key pairs are generated once per process and reused (certificates are new each time).
 */
export async function createTlsMaterial(hostnames: readonly string[] = ["localhost"]): Promise<TlsMaterial> {
  keyPairs ??= Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const [caKeys, serverKeys] = await keyPairs;
  const now = Date.now();

  const caAttrs = [
    // A unique name per start: two emulators in one process share key pairs, and a shared name
    // would let one emulator's CA vouch for the other's server certificate.
    { name: "commonName", value: `pipekit Databricks emulator CA ${randomBytes(4).toString("hex")}` },
    { name: "organizationName", value: "pipekit testkit" },
  ];
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now - DAY_MS);
  ca.validity.notAfter = new Date(now + 30 * DAY_MS);
  ca.setSubject(caAttrs);
  ca.setIssuer(caAttrs);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(nativeSigner(caKeys.pem), forge.md.sha256.create());

  const server = forge.pki.createCertificate();
  server.publicKey = serverKeys.publicKey;
  server.serialNumber = serial();
  server.validity.notBefore = new Date(now - DAY_MS);
  server.validity.notAfter = new Date(now + 30 * DAY_MS);
  server.setSubject([{ name: "commonName", value: hostnames[0] ?? "localhost" }]);
  server.setIssuer(caAttrs);
  server.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...hostnames.map((value) => ({ type: 2, value })),
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(nativeSigner(caKeys.pem), forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(server),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

interface RsaKeys {
  pem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

let keyPairs: Promise<[RsaKeys, RsaKeys]> | undefined;

async function rsaKeyPair(): Promise<RsaKeys> {
  const { privateKey } = await generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return {
    pem: privateKey,
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
  };
}

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/** A forge-compatible signer: forge hands over the SHA-256 state of the TBS certificate. */
function nativeSigner(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  const sign = (md: forge.md.MessageDigest): string => {
    const digest = Buffer.from(md.digest().getBytes(), "binary");
    const signature = privateEncrypt(
      { key: privateKeyPem, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, digest]),
    );
    return signature.toString("binary");
  };
  return { sign } as unknown as forge.pki.rsa.PrivateKey;
}

/**
 * A positive serial number whose DER INTEGER is minimal: the first byte is 0x40–0x7f (high bit clear,
 * so no 0x00 pad is needed; non-zero, so none is implied). A "00" prefix, as before, made a non-minimal
 * INTEGER whenever the next byte was below 0x80 and forge kept it; OpenSSL then refused the
 * certificate ("illegal padding") about once in 700, and clients failed with
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE — the CI flake this replaces.
 */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString("hex");
}
