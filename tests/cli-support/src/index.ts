/**
 * Helpers shared by the CLI tests: the apps' end-to-end tests (`apps/<app>/src/cli.test.ts`),
 * which run the built CLI (`dist/cli.js`) in a child process, and the contract suite of
 * @unet/cli (`packages/cli/src/*.test.ts`), which runs a fake recipe in-process. They check exit
 * codes and one-line errors and read the PNG, CSV and JSON files the commands write.
 * `cliHarness` binds them to one app; `appCli` and `describeTrainedApp` (app-suite.ts) run the
 * suite every app shares on the app's own data.
 */

export {
  type AppCli,
  appCli,
  type Corrupt,
  cliArgs,
  describeTrainedApp,
  expectSplitCovers,
  type Flags,
  itListsCommands,
  type Split,
  type TrainedRun,
  type TrainedSuiteSpec,
} from './app-suite.js';
export {
  type CliResult,
  expectOk,
  expectProgramError,
  linkFile,
  pixelValues,
  pngSize,
  readCsv,
  readJson,
} from './files.js';
export { type CliHarnessOptions, cliHarness } from './harness.js';
export {
  expectBinaryMask,
  expectCurves,
  expectHistory,
  expectLoadableModel,
  expectResumed,
  expectScored,
  type LoadedModel,
} from './outputs.js';
