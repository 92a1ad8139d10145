import type { Logger } from "@pipekit/core";

export interface SignalHandlingOptions {
  readonly logger: Logger;
  readonly drainTimeoutMs: number;
  readonly stop: (reason: string) => Promise<unknown>;
  /** Injected by tests; default process.exit. */
  readonly exit?: (code: number) => void;
}

/**
 * First SIGTERM/SIGINT: graceful drain. A second one, or a drain that overruns its timeout by more
 * than a grace period, forces the process out. Returns a function that removes the handlers.
 */
export function installSignalHandlers(options: SignalHandlingOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received = 0;
  let watchdog: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) {
      options.logger.warn({ signal }, "second signal: exiting without finishing the drain");
      exit(130);
      return;
    }
    options.logger.info({ signal }, "signal received: draining (send it again to force exit)");
    // The engine's drain is bounded by drainTimeoutMs; the watchdog only catches a hung close.
    watchdog = setTimeout(() => {
      options.logger.error({ signal }, "drain did not finish in time: forcing exit");
      exit(1);
    }, options.drainTimeoutMs + 5000);
    watchdog.unref();
    void options.stop(`signal ${signal}`);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    if (watchdog) clearTimeout(watchdog);
  };
}
