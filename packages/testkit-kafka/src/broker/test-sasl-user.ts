/** The user the global test broker's SASL listener accepts (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
export const TEST_SASL_USER = { username: "pipekit", password: "pipekit-test-secret" } as const;
