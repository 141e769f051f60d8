/**
 * `serverless-fullstack/testing`: what this repository's own tests use, for tests of your programs —
 * the recording mocks and harness, graph queries over a recorded plan, the deploy-rule pack
 * (what AWS rejects at apply time; docs/deploy-rules.md) and the security rule pack (docs/testing.md).
 *
 * @packageDocumentation
 */
export * from "./deploy-rules";
export {
  SECURITY_RULES,
  STACK_SECURITY_RULES,
  checkSecurityRules,
  type Finding as SecurityFinding,
  type RuleContext as SecurityRuleContext,
  type SecurityRule,
} from "./security-rules";
export { byName, mutate, record, useMocks } from "./harness";
export * from "../local/offline/graph";
export { installRecordingMocks, MOCK_ACCOUNT_ID, type MockOptions, type RecordedResource, type RecordingMocks } from "../local/offline/mocks";
export { runProgramOffline, type OfflineRun, type OfflineRunOptions } from "../local/offline/program";
