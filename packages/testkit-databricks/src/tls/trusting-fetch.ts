import { Agent, fetch as undiciFetch } from "undici";

export type TrustingFetch = typeof undiciFetch & {
  /** The undici dispatcher that trusts the CA (pass it to your own undici calls). */
  readonly dispatcher: Agent;
  /** Closes the dispatcher's sockets (tests must, to leave no open handles). */
  close(): Promise<void>;
};

/**
 * A `fetch` that trusts one extra CA (the emulator's) besides nothing else: the emulator's
 * certificate is only valid for 127.0.0.1/localhost, so the system roots are not needed.
 */
export function createTrustingFetch(caPem: string): TrustingFetch {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const bound = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher })) as TrustingFetch;
  Object.defineProperty(bound, "dispatcher", { value: dispatcher });
  Object.defineProperty(bound, "close", { value: () => dispatcher.close() });
  return bound;
}
