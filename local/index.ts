/**
 * `serverless-fullstack/local`: run any Pulumi program that uses the components on the embedded emulators, from
 * its own index.ts and Pulumi.<stack>.yaml — `npx serverless-fullstack start` on the command line, `startLocalApp`
 * from code (e.g. a test that drives the running app). See docs/local-runtime.md.
 */
export { startLocalApp, type LocalApp, type StartOptions } from "./start";
export { runProgramOffline, type OfflineRun, type OfflineRunOptions } from "./offline/program";
export { loadStackConfig, StackConfigError, type StackConfig } from "./offline/config";
