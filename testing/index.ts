/**
 * `serverless-fullstack/testing`: what this repository's own tests use, for tests of your programs —
 * the recording mocks and harness, graph queries over a recorded plan, and the deploy-rule pack
 * (what AWS rejects at apply time). See docs/deploy-rules.md.
 *
 * @packageDocumentation
 */
export * from "./deploy-rules";
export { byName, mutate, record, useMocks } from "./harness";
export * from "../local/offline/graph";
export { installRecordingMocks, MOCK_ACCOUNT_ID, type MockOptions, type RecordedResource, type RecordingMocks } from "../local/offline/mocks";
export { runProgramOffline, type OfflineRun, type OfflineRunOptions } from "../local/offline/program";
