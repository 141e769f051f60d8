/**
 * Scheduled export of DynamoDB tables to S3 (seed 002), run by DataTier's EventBridge
 * rule: one ExportTableToPointInTime per table, written under
 * `${EXPORT_PREFIX}<table>/<date>/`. The schedule's event time makes the client token,
 * so a retried invocation does not start a second export of the same moment.
 */
import { createHash } from "node:crypto";
import { DynamoDBClient, ExportTableToPointInTimeCommand, type ExportFormat } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";

const logger = new Logger();
const dynamodb = new DynamoDBClient({});

const Environment = z.object({
  EXPORT_BUCKET_NAME: z.string().min(3),
  EXPORT_PREFIX: z.string().default("exports/"),
  EXPORT_FORMAT: z.enum(["DYNAMODB_JSON", "ION"]).default("DYNAMODB_JSON"),
  TABLE_ARNS: z.string().transform((text, ctx) => {
    const parsed = z.array(z.string().startsWith("arn:")).min(1).safeParse(JSON.parse(text));
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "TABLE_ARNS must be a JSON list of table ARNs" });
      return z.NEVER;
    }
    return parsed.data;
  }),
});

/** EventBridge's scheduled event; only `time` is used (invoking by hand with `{}` exports "now"). */
const ScheduledEvent = z.object({ time: z.string().datetime().optional(), id: z.string().optional() }).passthrough();

export interface ExportStarted {
  tableArn: string;
  exportArn?: string;
  status?: string;
  s3Prefix: string;
}

export async function handler(event: unknown): Promise<{ exports: ExportStarted[] }> {
  const env = Environment.parse(process.env);
  const { time } = ScheduledEvent.parse(event ?? {});
  const at = time ? new Date(time) : new Date();
  const day = at.toISOString().slice(0, 10);
  const exports: ExportStarted[] = [];
  for (const tableArn of env.TABLE_ARNS) {
    const tableName = tableArn.split("/")[1] ?? tableArn;
    const s3Prefix = `${env.EXPORT_PREFIX}${tableName}/${day}`;
    const result = await dynamodb.send(
      new ExportTableToPointInTimeCommand({
        TableArn: tableArn,
        S3Bucket: env.EXPORT_BUCKET_NAME,
        S3Prefix: s3Prefix,
        S3SseAlgorithm: "AES256",
        ExportFormat: env.EXPORT_FORMAT as ExportFormat,
        ExportTime: time ? at : undefined,
        ClientToken: clientToken(tableArn, at),
      }),
    );
    const description = result.ExportDescription;
    logger.info("export started", { tableArn, exportArn: description?.ExportArn, status: description?.ExportStatus, s3Prefix });
    exports.push({ tableArn, exportArn: description?.ExportArn, status: description?.ExportStatus, s3Prefix });
  }
  return { exports };
}

/** Same table and moment, same token: DynamoDB treats a repeated request as the same export (for 8 hours). */
function clientToken(tableArn: string, at: Date): string {
  return createHash("sha256").update(`${tableArn}|${at.toISOString()}`).digest("hex").slice(0, 64);
}
