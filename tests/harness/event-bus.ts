/** Expected statements of the event-bus components' policies, written out once for the tests that compare them whole. */

/** The statement of a rule's dead-letter queue's policy letting EventBridge send it that rule's undelivered events. */
export function ruleDeadLettersStatement(queueArn: string, ruleArn: string): Record<string, unknown> {
  return {
    Sid: "RuleDeadLetters",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
  };
}
