/**
 * The reference app's album deletion as `pulumi up` would create it (index.ts "album deletion", dev stack): the API's
 * DELETE may put events on the gallery bus only, the bus's rule starts the workflow with the event's detail through a
 * role that may start that state machine only, and the workflow's role may call exactly the actions its Tasks call,
 * on exactly the table, queue and topic they name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { policyDocument, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

const named = (type: string, name: string) => resource(run.resources, type, name);
/** A Task's retries at worst: retriers count apart (each its own MaxAttempts, default 3), so the sum of them all. */
const attempts = (retry: { MaxAttempts?: number }[] = []) => retry.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0);

describe("dev stack: album deletion", () => {
  it("lets DELETE /albums/{albumId} mark the album and put events on the gallery bus, and nothing more", () => {
    const bus = named("aws:cloudwatch/eventBus:EventBus", "gallery-events-bus");
    const table = named("aws:dynamodb/table:Table", "data-gallery");
    const policy = policyDocument(named("aws:iam/rolePolicy:RolePolicy", "api-delete-albums-albumid-policy").inputs.policy).Statement;
    expect(policy.filter((s) => s.Action.some((a: string) => a.startsWith("events:")))).toEqual([{ Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.state.arn] }]);
    expect(policy.find((s) => s.Sid === "GalleryWrite")).toMatchObject({ Action: ["dynamodb:DeleteItem", "dynamodb:UpdateItem"], Resource: [table.state.arn] });
    const machine = named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine");
    // The machine's ARN: an execution recorded on an album that is not of it has ended (and is not to be asked about).
    expect(named("aws:lambda/function:Function", "api-delete-albums-albumid-function").inputs.environment.variables).toMatchObject({
      EVENT_BUS_NAME: bus.state.name,
      EVENT_BUS_REGION: "us-east-1",
      ALBUM_DELETION_STATE_MACHINE_ARN: machine.state.arn,
    });
    // What it asks of an album already deleting: whether the execution recorded on it still runs, on this workflow's executions alone.
    const executions = machine.state.arn.replace(":stateMachine:", ":execution:");
    expect(policy.filter((s) => s.Action.some((a: string) => a.startsWith("states:")))).toEqual([{ Effect: "Allow", Action: ["states:DescribeExecution"], Resource: [`${executions}:*`] }]);
    expect(run.outputs.galleryEventBusName).toBe(bus.state.name);
  });

  it("starts the workflow with the event's detail for AlbumDeletionRequested, through a role that may start it alone", () => {
    const machine = named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine");
    const rule = named("aws:cloudwatch/eventRule:EventRule", "gallery-events-album-deletions");
    expect(JSON.parse(rule.inputs.eventPattern)).toEqual({ source: ["gallery.albums"], "detail-type": ["AlbumDeletionRequested"] });
    const target = named("aws:cloudwatch/eventTarget:EventTarget", "gallery-events-album-deletions");
    expect(target.inputs).toMatchObject({ arn: machine.state.arn, inputPath: "$.detail", deadLetterConfig: { arn: expect.any(String) } });
    const startRole = policyDocument(named("aws:iam/rolePolicy:RolePolicy", "gallery-events-album-deletions-target-policy").inputs.policy).Statement;
    expect(startRole).toEqual([{ Sid: "StartWorkflow", Effect: "Allow", Action: ["states:StartExecution"], Resource: [machine.state.arn] }]);
    expect(run.outputs.albumDeletionStateMachineArn).toBe(machine.state.arn);
  });

  it("grants the workflow exactly its Tasks' actions on the gallery table, the photo-removals queue and the notices topic", () => {
    const table = named("aws:dynamodb/table:Table", "data-gallery");
    const queue = named("aws:sqs/queue:Queue", "photo-removals-queue");
    const topic = named("aws:sns/topic:Topic", "album-notices-topic");
    const statements = policyDocument(named("aws:iam/rolePolicy:RolePolicy", "album-deletion-policy").inputs.policy).Statement.filter((s) => s.Sid !== "DeliverLogs");
    expect(statements).toEqual([
      // GetItem: ClaimedBy reads the mark that refused a claim.
      { Effect: "Allow", Action: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], Resource: [table.state.arn] },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.state.arn] },
      // Handoff: the rest of the album to the next execution, through the rule.
      { Effect: "Allow", Action: ["events:PutEvents"], Resource: [named("aws:cloudwatch/eventBus:EventBus", "gallery-events-bus").state.arn] },
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topic.state.arn] },
    ]);
    expect(run.outputs.albumNoticesTopicArn).toBe(topic.state.arn);
  });

  it("deploys a definition that claims the album, removes its photos page by page through the queue, then the album, and marks a failure", () => {
    const table = named("aws:dynamodb/table:Table", "data-gallery");
    const queue = named("aws:sqs/queue:Queue", "photo-removals-queue");
    const definition = JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition);
    const states = definition.States;
    expect(definition.StartAt).toBe("Defaults");
    // DELETE's event claims (Claim), a hand-off's takes over (TakeOver): the same write, retried differently (below).
    expect(states.Settings.Next).toBe("ClaimKind");
    // Claim and TakeOver write `continues` as a string: one that is not fails before either (no claim, so MarkFailed marks nothing).
    // Read from the definition, not a copy of it: each string check sends a non-string to InvalidSettings before the
    // first rule that claims (the local tests run each rule's failure: continues 5, requestedAt 5).
    const claimKind: { Variable?: string; Not?: { Variable: string; IsString?: boolean }; Next: string }[] = states.ClaimKind.Choices;
    const firstClaim = claimKind.findIndex((rule) => rule.Next === "Claim");
    for (const path of ["$.continues", "$.requestedAt"]) {
      const check = claimKind.findIndex((rule) => rule.Not?.Variable === path && rule.Not.IsString === true && rule.Next === "InvalidSettings");
      expect(check, path).toBeGreaterThanOrEqual(0);
      expect(check, path).toBeLessThan(firstClaim);
    }
    expect(claimKind[firstClaim]).toMatchObject({ Variable: "$.continues", StringEquals: "none" });
    expect(states.ClaimKind.Default).toBe("TakeOver");
    for (const name of ["Claim", "ClaimAgain", "TakeOver"]) expect(states[name], name).toMatchObject({ Resource: "arn:aws:states:::dynamodb:updateItem", Next: "Bounds" });
    // One write, retried and caught differently (below).
    const write = ({ Retry: _r, Catch: _c, ...task }: Record<string, unknown>) => task;
    for (const name of ["ClaimAgain", "TakeOver"]) expect(write(states[name]), name).toEqual(write(states.Claim));
    // A claim refused for DELETE's event: the mark read, then ended at once when another execution claimed this very
    // request's mark (a duplicate delivery), else claimed again with the retries that wait out replication.
    expect(states.ClaimedBy).toMatchObject({ Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: table.state.name, ConsistentRead: true }, ResultPath: "$.claimed", Next: "SameRequest" });
    // NotMine only for a mark claimed (its execution present) for this event's request; every other way ClaimAgain, and
    // each path the rule compares is sent there first when absent (a Choice fails on one). Read from the definition.
    const sameRequest: { Variable?: string; StringEqualsPath?: string; Not?: { Variable: string; IsPresent?: boolean }; Next: string }[] = states.SameRequest.Choices;
    const mine = sameRequest.findIndex((rule) => rule.Next === "NotMine");
    expect(sameRequest.filter((rule) => rule.Next === "NotMine")).toHaveLength(1);
    expect(sameRequest[mine]).toMatchObject({ Variable: "$.claimed.Item.deletion.M.requestedAt.S", StringEqualsPath: "$.requestedAt" });
    const absentFirst = (path: string) => sameRequest.slice(0, mine).some((rule) => rule.Not?.Variable === path && rule.Not.IsPresent === true && rule.Next === "ClaimAgain");
    for (const path of [sameRequest[mine].Variable!, "$.claimed.Item.deletion.M.execution.S"]) expect(absentFirst(path), path).toBe(true);
    expect(sameRequest.filter((rule) => rule.Next !== "NotMine").every((rule) => rule.Next === "ClaimAgain")).toBe(true);
    expect(states.SameRequest.Default).toBe("ClaimAgain");
    expect(states.Bounds.Default).toBe("WholeFigures");
    expect(states.Whole.Default).toBe("NextPage");
    expect(states.NextPage).toMatchObject({ Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: table.state.name, ConsistentRead: true }, Next: "AnyPhotos" });
    // Before each page, and before the album itself: only while the album is still this execution's (a DELETE that
    // started the deletion over leaves an execution that had not ended yet without it), else NotMine.
    expect(states.AnyPhotos).toMatchObject({ Choices: [{ Next: "StillMine" }], Default: "DeleteAlbum" });
    expect(states.StillMine).toMatchObject({ Resource: "arn:aws:states:::dynamodb:updateItem", Next: "RemovePhotos" });
    expect(states.StillMine.Parameters).toMatchObject({ UpdateExpression: "SET deletion.#execution = :me", ConditionExpression: "deletion.#state = :deleting AND deletion.#execution = :me", ExpressionAttributeValues: { ":deleting": { S: "deleting" }, ":me": { "S.$": "$$.Execution.Id" } } });
    expect(states.DeleteAlbum.Parameters).toMatchObject({ ConditionExpression: "deletion.#execution = :me", ExpressionAttributeNames: { "#execution": "execution" }, ExpressionAttributeValues: { ":me": { "S.$": "$$.Execution.Id" } } });
    for (const name of ["StillMine", "DeleteAlbum"]) expect(states[name].Catch[0], name).toEqual({ ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], ResultPath: null, Next: "NotMine" });
    const photo = states.RemovePhotos.ItemProcessor.States;
    expect(photo.SendRemoval).toMatchObject({ Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: queue.state.url }, Next: "DeletePhoto" });
    expect(states.RemovePhotos.ItemSelector.removal).toMatchObject({ "sub.$": "$.sub", "albumId.$": "$.albumId", region: "us-east-1" });
    // The delete after the send, only while the photo is as read: what DELETE of one photo does.
    expect(photo.DeletePhoto.Parameters).toMatchObject({ TableName: table.state.name, ConditionExpression: "attribute_exists(pk) AND #status = :status" });
    expect(states.RemovePhotos.Next).toBe("CountPage");
    expect(states.AnyPhotos.Default).toBe("DeleteAlbum");
    // Every Task of a claimed album outside the notices ends in MarkFailed when its retries are spent.
    for (const name of ["NextPage", "StillMine", "RemovePhotos", "DeleteAlbum", "Handoff"]) expect(states[name].Catch.at(-1), name).toEqual({ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" });
    expect(states.MarkFailed.Parameters).toMatchObject({ UpdateExpression: "SET deletion.#state = :failed, deletion.#error = :error REMOVE deletion.#execution", ConditionExpression: "deletion.#execution = :me" });
    expect(states.MarkFailed.Parameters.ExpressionAttributeValues[":me"]).toEqual({ "S.$": "$$.Execution.Id" });
    // The execution fails with the deletion's own error and cause, after the notice (which reads the same two).
    expect(states.NotifyFailed).toMatchObject({ Next: "Failed", Catch: [{ Next: "Failed" }] });
    expect(states.Failed).toEqual({ Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" });
  });

  // Failed's ErrorPath and CausePath "must select a field that contains a string value" (state-fail.html), and nothing
  // on AWS checks that before an execution fails there: every way into the failure path sets $.error to a Catch's
  // output ({Error, Cause}, both strings) or to a Pass state's string Error and its Cause (States.Format's, or a literal), and the failure
  // path itself never writes $.error.
  it("reaches Failed only with $.error's Error and Cause strings, for the Fail state's ErrorPath and CausePath", () => {
    const states: Record<string, { Type: string; Next?: string; Default?: string; ResultPath?: string | null; Parameters?: Record<string, unknown>; Choices?: { Next: string }[]; Catch?: { Next: string; ResultPath?: string | null }[] }> =
      JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition).States;
    const failurePath = ["MarkFailed", "FailedNotice", "NotifyFailed"];
    expect(states.Failed).toEqual({ Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" });
    const into: string[] = [];
    for (const [name, state] of Object.entries(states)) {
      for (const c of state.Catch ?? []) {
        if (failurePath.includes(c.Next) && !failurePath.includes(name)) expect([name, c.ResultPath]).toEqual([name, "$.error"]);
        if (failurePath.includes(name)) expect([name, c.ResultPath]).toEqual([name, null]);
      }
      const nexts = [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)];
      if (nexts.some((next) => next !== undefined && [...failurePath, "Failed"].includes(next)) && !failurePath.includes(name)) {
        into.push(name);
        // A Cause of the event's values formatted, or a literal one.
        const cause = state.Parameters?.["Cause.$"] === undefined ? typeof state.Parameters?.Cause === "string" : String(state.Parameters["Cause.$"]).startsWith("States.Format(");
        expect([name, state.Type, state.ResultPath, typeof state.Parameters?.Error, cause]).toEqual([name, "Pass", "$.error", "string", true]);
      }
      if (failurePath.includes(name)) expect([name, state.ResultPath]).not.toEqual([name, "$.error"]);
    }
    expect(into.sort()).toEqual(["InvalidFigures", "TooManyHandoffs", "UnquotableFigures"]);
  });

  it("names the errors it retries and catches as Step Functions reports them, and retries a Task only where that is safe", () => {
    const definition = JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition);
    const states = definition.States;
    const photo = states.RemovePhotos.ItemProcessor.States;
    // The optimized DynamoDB integration's prefix is "DynamoDB." (connect-ddb.html "Exception prefix differences"):
    // "DynamoDb." would never match, and a failed condition would be retried and then mark the album failed.
    const condition = "DynamoDB.ConditionalCheckFailedException";
    const transient = { ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2 };
    // Claim: a failed condition is read (ClaimedBy); ClaimAgain waits out replication (3 retries), then NotMine;
    // anything else is told, not marked (not its album).
    expect(states.Claim.Retry).toEqual([{ ErrorEquals: [condition], MaxAttempts: 0 }, transient]);
    expect(states.Claim.Catch).toEqual([{ ErrorEquals: [condition], ResultPath: null, Next: "ClaimedBy" }, { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FailedNotice" }]);
    expect(states.ClaimedBy.Retry).toEqual([transient]);
    expect(states.ClaimedBy.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "ClaimAgain" }]);
    expect(states.ClaimAgain.Retry).toEqual([{ ErrorEquals: [condition], IntervalSeconds: 4, MaxAttempts: 3, BackoffRate: 2 }, transient]);
    // TakeOver (a hand-off's event, the album claimed in this region by the execution it continues): no replication to
    // wait for, so a failed condition is final and a duplicate ends at once.
    expect(states.TakeOver.Retry).toEqual([{ ErrorEquals: [condition], MaxAttempts: 0 }, transient]);
    for (const name of ["ClaimAgain", "TakeOver"]) expect(states[name].Catch, name).toEqual([{ ErrorEquals: [condition], ResultPath: null, Next: "NotMine" }, { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FailedNotice" }]);
    // A photo changed since read: never retried, the next page reads it again.
    expect(photo.DeletePhoto.Retry).toEqual([{ ErrorEquals: [condition], MaxAttempts: 0 }, transient]);
    expect(photo.DeletePhoto.Catch).toEqual([{ ErrorEquals: [condition], ResultPath: null, Next: "Changed" }]);
    expect(photo.SendRemoval.Retry).toEqual([transient]);
    expect(states.MarkFailed.Retry).toEqual([{ ErrorEquals: [condition], MaxAttempts: 0 }, transient]);
    for (const name of ["StillMine", "DeleteAlbum"]) expect(states[name].Retry, name).toEqual([{ ErrorEquals: [condition], MaxAttempts: 0 }, transient]);
    expect(states.MarkFailed.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "FailedNotice" }]);
    for (const name of ["NextPage", "Handoff", "NotifyDeleted", "NotifyFailed"]) expect(states[name].Retry, name).toEqual([transient]);
    // Claim itself retried after its write succeeded, or a continuation taking the album over, claims it; a duplicate does not.
    expect(states.Claim.Parameters.ConditionExpression).toBe("deletion.#state = :deleting AND (attribute_not_exists(deletion.#execution) OR deletion.#execution = :me OR deletion.#execution = :continues)");
    expect(states.Claim.Parameters.ExpressionAttributeValues).toMatchObject({ ":me": { "S.$": "$$.Execution.Id" }, ":continues": { "S.$": "$.continues" } });
  });

  it("hands the album to a new execution through the bus after pagesPerExecution pages, within the 25,000-event history", () => {
    const bus = named("aws:cloudwatch/eventBus:EventBus", "gallery-events-bus");
    const states = JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition).States;
    const defaults = states.Defaults.Parameters.defaults;
    expect(states.NextPage.Parameters["Limit.$"]).toBe("$.whole.pageSize");
    expect(states.CountPage.Next).toBe("Budget");
    expect(states.Budget).toEqual({ Type: "Choice", Choices: [{ Variable: "$.count.pages", NumericGreaterThanEqualsPath: "$.whole.pagesPerExecution", Next: "MayHandOff" }], Default: "NextPage" });
    // A chain of hand-offs longer than the largest album supported needs fails (alarmed) instead of handing on for ever.
    expect(states.MayHandOff).toEqual({ Type: "Choice", Choices: [{ Variable: "$.whole.handoffs", NumericGreaterThanEqualsPath: "$.whole.maxHandoffs", Next: "TooManyHandoffs" }], Default: "Handoff" });
    expect(states.TooManyHandoffs).toMatchObject({ Type: "Pass", Parameters: { Error: "AlbumDeletion.TooManyHandoffs", "Cause.$": expect.stringContaining("$.whole.handoffs") }, ResultPath: "$.error", Next: "MarkFailed" });
    expect(states.Handoff).toMatchObject({ Resource: "arn:aws:states:::events:putEvents", Next: "HandedOff" });
    expect(states.Handoff.Parameters.Entries).toEqual([
      {
        EventBusName: bus.state.name,
        Source: "gallery.albums",
        DetailType: "AlbumDeletionRequested",
        Detail: {
          "sub.$": "$.sub",
          "albumId.$": "$.albumId",
          "continues.$": "$$.Execution.Id",
          "handoffs.$": "States.MathAdd($.whole.handoffs, 1)",
          "maxHandoffs.$": "$.whole.maxHandoffs",
          "pageSize.$": "$.whole.pageSize",
          "pagesPerExecution.$": "$.whole.pagesPerExecution",
        },
      },
    ]);
    // The worst page: every Task spends its retries (5 events, 3 more per retry; a Pass, Choice or Succeed 2, a Map 4, an
    // iteration 2): NextPage, AnyPhotos, StillMine, the Map, per photo its iteration, SendRemoval, DeletePhoto and
    // Changed, then CountPage and Budget.
    const task = (retries: number) => 5 + 3 * retries;
    // What is counted is what the definition runs: the page loop's states and their order, and each Task's retries
    // (so a state added to the loop, or a retrier given more attempts, fails here rather than past 25,000 on AWS).
    const photo = states.RemovePhotos.ItemProcessor.States;
    expect(Object.keys(photo)).toEqual(["SendRemoval", "DeletePhoto", "Changed"]);
    const loop = ["NextPage", "AnyPhotos", "StillMine", "RemovePhotos", "CountPage", "Budget"];
    expect(loop.map((name) => (name === "AnyPhotos" ? states[name].Choices[0].Next : states[name].Next)).slice(0, -1)).toEqual(loop.slice(1));
    expect(states.Budget.Default).toBe("NextPage");
    for (const t of [states.NextPage, states.StillMine, photo.SendRemoval, photo.DeletePhoto]) expect(attempts(t.Retry)).toBeLessThanOrEqual(4);
    const worstPage = task(4) + 2 + task(4) + 4 + defaults.pageSize * (2 + 2 * task(4) + 2) + 2 + 2;
    expect(worstPage).toBe(804);
    // The execution's own: its start and end, and every state outside the loop once, at its worst (no path outside the
    // loop enters a state twice, and none takes them all: an upper bound). From the definition itself, so a state added
    // before or after the loop, or a retry more, is counted without anyone updating a sum here.
    const worstState = (name: string, state: { Type: string; Retry?: { MaxAttempts?: number }[] }) => {
      if (state.Type === "Task") return task(attempts(state.Retry));
      if (["Pass", "Choice", "Succeed"].includes(state.Type)) return 2;
      if (state.Type === "Fail") return 1;
      throw new Error(`${name}: a ${state.Type} state outside the page loop; count its events here`);
    };
    const outside = Object.entries(states as Record<string, { Type: string }>).filter(([name]) => !loop.includes(name));
    const overhead = 2 + outside.reduce((sum, [name, state]) => sum + worstState(name, state), 0);
    expect(overhead).toBe(197); // index.ts and docs/events.md name it
    expect(worstPage * defaults.pagesPerExecution + overhead).toBeLessThan(25_000);
    // An event's own figures are bounded by the defaults the budget is worked out for (a page costs more with pageSize,
    // an execution with pagesPerExecution), and Query's Limit is at least 1; maxHandoffs by its default (a larger one
    // turns off MayHandOff's guard), handoffs by maxHandoffs: outside them, the deletion fails.
    // Not a number first: no numeric comparison is made of a value of another type.
    const figures = ["pageSize", "pagesPerExecution", "maxHandoffs", "handoffs"];
    expect(states.Bounds).toEqual({
      Type: "Choice",
      Choices: [
        ...figures.map((name) => ({ Not: { Variable: `$.${name}`, IsNumeric: true }, Next: "InvalidSettings" })),
        {
          Or: [
            { Variable: "$.pageSize", NumericLessThan: 1 },
            { Variable: "$.pageSize", NumericGreaterThan: defaults.pageSize },
            { Variable: "$.pagesPerExecution", NumericLessThan: 1 },
            { Variable: "$.pagesPerExecution", NumericGreaterThan: defaults.pagesPerExecution },
            { Variable: "$.maxHandoffs", NumericLessThan: 1 },
            { Variable: "$.maxHandoffs", NumericGreaterThan: defaults.maxHandoffs },
            { Variable: "$.handoffs", NumericLessThan: 0 },
            { Variable: "$.handoffs", NumericGreaterThanPath: "$.maxHandoffs" },
          ],
          Next: "InvalidSettings",
        },
      ],
      Default: "WholeFigures",
    });
    // Then each whole: States.MathAdd rounds a fraction (LocalStack's AWS-recorded test_math_add), so adding 0 changes
    // only a figure that is not whole. After Bounds: only figures within their small ranges reach MathAdd.
    // Bounds' IsNumeric rules are MathAdd's guard: a figure that is not a number (a string, null) never reaches it, so
    // WholeFigures is entered from Bounds alone.
    const into = (target: string) =>
      Object.entries(states as Record<string, { Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[] }>)
        .filter(([, s]) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(target))
        .map(([name]) => name);
    expect(into("WholeFigures")).toEqual(["Bounds"]);
    expect(states.WholeFigures).toEqual({
      Type: "Pass",
      Parameters: Object.fromEntries(figures.map((name) => [`${name}.$`, `States.MathAdd($.${name}, 0)`])),
      ResultPath: "$.whole",
      Next: "Whole",
    });
    expect(states.Whole).toEqual({
      Type: "Choice",
      Choices: [{ Or: figures.map((name) => ({ Not: { Variable: `$.${name}`, NumericEqualsPath: `$.whole.${name}` } })), Next: "InvalidSettings" }],
      Default: "NextPage",
    });
    // Past Whole the figures are read from `$.whole` (MathAdd's integers: an event's 20.0 reaches Query's Limit as 20),
    // so no state reachable from Whole may write over it or drop it (a Task or Pass without ResultPath replaces all).
    const after = new Set<string>();
    const visit = (name: string) => {
      if (!name || after.has(name)) return;
      after.add(name);
      const state = states[name];
      for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((c: { Next: string }) => c.Next), ...(state.Catch ?? []).map((c: { Next: string }) => c.Next)]) visit(next);
    };
    visit("Whole");
    expect(after).toContain("Handoff");
    for (const name of after) {
      const { Type, ResultPath, OutputPath } = states[name];
      if (["Task", "Pass", "Map"].includes(Type)) expect([name, ResultPath === null || (typeof ResultPath === "string" && /^\$\.(?!whole\b)/.test(ResultPath))]).toEqual([name, true]);
      expect([name, OutputPath]).toEqual([name, undefined]);
    }
    // The cause names each figure as the event gave it, where each is quotable: a boolean, null or a number within
    // ±1e15, each short (a string, an object, an array or a longer number may be as long as the event, and fails the
    // deletion unquoted). IsNumeric before the comparisons: none is made of a value of another type.
    const quotable = (name: string) => ({
      Or: [
        { And: [{ Variable: `$.${name}`, IsNumeric: true }, { Variable: `$.${name}`, NumericGreaterThanEquals: -1e15 }, { Variable: `$.${name}`, NumericLessThanEquals: 1e15 }] },
        { Variable: `$.${name}`, IsBoolean: true },
        { Variable: `$.${name}`, IsNull: true },
      ],
    });
    expect(states.InvalidSettings).toEqual({ Type: "Choice", Choices: [{ Or: ["pageSize", "pagesPerExecution", "maxHandoffs", "handoffs"].map((name) => ({ Not: quotable(name) })), Next: "UnquotableFigures" }], Default: "InvalidFigures" });
    expect(states.UnquotableFigures).toMatchObject({ Type: "Pass", Parameters: { Error: "AlbumDeletion.InvalidSettings", Cause: expect.stringMatching(/^pageSize, pagesPerExecution, maxHandoffs and handoffs: one is a string, an object, an array or a number past ±1e\+15, not quoted/) }, ResultPath: "$.error", Next: "MarkFailed" });
    expect(states.InvalidFigures.Parameters["Cause.$"]).toMatch(/^States\.Format\('pageSize \{\}, pagesPerExecution \{\}, maxHandoffs \{\}, handoffs \{\}: .*', States\.JsonToString\(\$\.pageSize\), States\.JsonToString\(\$\.pagesPerExecution\), States\.JsonToString\(\$\.maxHandoffs\), States\.JsonToString\(\$\.handoffs\)\)$/);
    expect(states.InvalidFigures).toMatchObject({ Type: "Pass", Parameters: { Error: "AlbumDeletion.InvalidSettings" }, ResultPath: "$.error", Next: "MarkFailed" });
    // 34 executions of 600 photos delete the largest album supported (20,000 photos); three times that many hand-offs.
    expect(defaults).toEqual({ pageSize: 20, pagesPerExecution: 30, maxHandoffs: 102, continues: "none", requestedAt: "none", handoffs: 0, count: { pages: 0 } });
  });

  it("bounds an execution at 4 hours: past the worst a 30-page execution can take, every Task retried, so that a stuck one times out (and is alarmed)", () => {
    const definition = JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition);
    const states = definition.States;
    const photo = states.RemovePhotos.ItemProcessor.States;
    type Retrier = { MaxAttempts?: number; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string };
    type Task = { Type: string; Retry?: Retrier[]; TimeoutSeconds?: number; Resource?: string };
    // A retrier's waits: IntervalSeconds × BackoffRate^n for each of its MaxAttempts (ASL defaults 1 s, 3, 2.0); every
    // retrier of a Task may spend its own attempts. No cap or jitter here: either would change the sum.
    const waits = (t: Task) =>
      (t.Retry ?? []).reduce((sum, r) => {
        expect(r.MaxDelaySeconds ?? r.JitterStrategy).toBeUndefined();
        return sum + Array.from({ length: r.MaxAttempts ?? 3 }, (_, n) => (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n).reduce((a, b) => a + b, 0);
      }, 0);
    const calls = (t: Task) => 1 + attempts(t.Retry);
    // Request-response integrations only (no .sync, no .waitForTaskToken, no Wait state): a Task is its calls and their retries.
    const all = [...Object.values(states as Record<string, Task>), ...Object.values(photo as Record<string, Task>)];
    expect(all.filter((t) => t.Type === "Wait")).toEqual([]);
    for (const t of all.filter((t) => t.Type === "Task")) expect(t.Resource, t.Resource).not.toMatch(/\.(sync|waitForTaskToken)/);
    // A page: NextPage, StillMine, then the photos in rounds of MaxConcurrency, each a SendRemoval and a DeletePhoto.
    const defaults = states.Defaults.Parameters.defaults;
    const rounds = Math.ceil(defaults.pageSize / states.RemovePhotos.MaxConcurrency);
    const page = (f: (t: Task) => number) => f(states.NextPage) + f(states.StillMine) + rounds * (f(photo.SendRemoval) + f(photo.DeletePhoto));
    const loop = ["NextPage", "StillMine", "RemovePhotos"];
    const outside = Object.entries(states as Record<string, Task>).filter(([name, t]) => t.Type === "Task" && !loop.includes(name)).map(([, t]) => t);
    const worst = (f: (t: Task) => number) => defaults.pagesPerExecution * page(f) + outside.reduce((sum, t) => sum + f(t), 0);
    expect(worst(waits)).toBe(9298); // index.ts names these figures
    expect(worst(calls)).toBe(1548);
    expect(definition.TimeoutSeconds).toBe(4 * 3600);
    // Room for 3 s a call even then. Normal operation, no retries: 300 calls in a row, minutes even at a second each.
    expect(definition.TimeoutSeconds).toBeGreaterThan(worst(waits) + 3 * worst(calls));
    expect(defaults.pagesPerExecution * page(() => 1)).toBe(300);
  });
});
