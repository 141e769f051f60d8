/**
 * The security rule pack (after cdk-nag's AwsSolutions rules): each rule a function from a recorded graph to
 * findings, with a failing case in tests/security/. `checkSecurityRules(graph, context)` runs them.
 */
import type { Graph } from "../../local/offline/graph";
import type { Finding, RuleContext, SecurityRule } from "./rule";
import { APIG1, APIG2, APIG4, APIG6 } from "./apigateway";
import { IAM5 } from "./iam";
import { CFR2, CFR3, CFR4, CFR5, CFR7 } from "./cloudfront";
import { CLOUDFRONT_FUNCTIONS, EDGE_FUNCTIONS, EDGE_VERSIONED } from "./edge";
import { COG1, COG2, COG3, COG7, COGNITO_EMAIL_SENDER, COGNITO_ROW_LEVEL_SECURITY } from "./cognito";
import { EVB1, EVB2 } from "./eventbridge";
import { DDB3, DYNAMODB_DELETION_PROTECTION, DYNAMODB_ENCRYPTION } from "./dynamodb";
import { KDS1, KINESIS_LEAST_PRIVILEGE } from "./kinesis";
import { RDS_SECURITY_RULES } from "./rds";
import { L1, LAMBDA_LOG_RETENTION } from "./lambda";
import { DATA_RETAINED_IN_PRODUCTION } from "./retention";
import { S1, S10, S2, S3_ENCRYPTION } from "./s3";
import { SNS2, SNS3 } from "./sns";
import { SQS2, SQS4 } from "./sqs";
import { SERVICE_PRINCIPAL_SOURCE } from "./service-source";
import { STATE_MACHINE_LAMBDA_INVOKE, STATE_MACHINE_LOG_RETENTION, STATE_MACHINE_SERVICE_GRANTS } from "./states";
import { TAGGED } from "./tags";

/** Every rule; the whole-stack tests run all of them over every stack. Components add their rules here. */
export const SECURITY_RULES: SecurityRule[] = [
  S1, S2, S10, S3_ENCRYPTION,
  CFR2, CFR3, CFR4, CFR5, CFR7,
  IAM5, L1, LAMBDA_LOG_RETENTION,
  APIG1, APIG2, APIG4, APIG6,
  DATA_RETAINED_IN_PRODUCTION,
  COG1, COG2, COG3, COG7, COGNITO_EMAIL_SENDER, COGNITO_ROW_LEVEL_SECURITY,
  DDB3, DYNAMODB_ENCRYPTION, DYNAMODB_DELETION_PROTECTION,
  EDGE_VERSIONED, EDGE_FUNCTIONS, CLOUDFRONT_FUNCTIONS,
  SQS2, SQS4,
  SNS2, SNS3,
  SERVICE_PRINCIPAL_SOURCE,
  EVB1,
  EVB2,
  STATE_MACHINE_LOG_RETENTION, STATE_MACHINE_LAMBDA_INVOKE,
  STATE_MACHINE_SERVICE_GRANTS,
  KDS1, KINESIS_LEAST_PRIVILEGE,
  ...RDS_SECURITY_RULES,
];

/** Rules about a whole program's graph (run by the whole-stack tests), not about one component recorded on its own. */
export const STACK_SECURITY_RULES: SecurityRule[] = [TAGGED];

/**
 * Runs security rules over a recorded graph (a program's `runProgramOffline(...).resources`, or what `record` returns
 * for one component); an empty list passes. Pass `[...SECURITY_RULES, ...STACK_SECURITY_RULES]` for a whole program.
 */
export function checkSecurityRules(graph: Graph, context: RuleContext, rules: readonly SecurityRule[] = SECURITY_RULES): Finding[] {
  return rules.flatMap((rule) => rule.check(graph, context));
}

export * from "./rule";
