import type { SecurityRule } from "../rule";
import { IAM5 } from "./iam";
import { L1, LAMBDA_LOG_RETENTION } from "./lambda";

/** Every rule; the whole-stack tests run all of them over every stack. Components add their rules here. */
export const ALL_RULES: SecurityRule[] = [IAM5, L1, LAMBDA_LOG_RETENTION];
