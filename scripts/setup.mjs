#!/usr/bin/env node
// One-time set-up shared by `npm start`, `npm test` and `npm run bench`: a fresh machine has only
// Node.js and npm, so this installs the pinned pnpm (corepack is not usable here), installs the
// workspace from the lockfile and builds every package. Re-running it is cheap.
import { execSync } from "node:child_process";

const PNPM_VERSION = "12.4.2";
const run = (cmd) => execSync(cmd, { stdio: "inherit" });
const has = (cmd) => {
  try {
    return execSync(cmd, { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "";
  }
};

if (has("pnpm --version") !== PNPM_VERSION) {
  console.error(`[setup] installing pnpm@${PNPM_VERSION} with npm`);
  run(`npm install --global --no-fund --no-audit pnpm@${PNPM_VERSION}`);
}
run(`pnpm install --frozen-lockfile${process.env.CI ? " --reporter=append-only" : ""}`);
run("pnpm run build");
