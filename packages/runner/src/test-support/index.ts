// Test support for packages whose tests start a pipekit CLI as a real process (`@pipekit/runner/testing`).
export {
  type CliResult,
  runTypeScriptCli,
  spawnTypeScriptCli,
  type TypeScriptCli,
} from "./typescript-cli.js";
