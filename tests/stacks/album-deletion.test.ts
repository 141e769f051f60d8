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

describe("dev stack: album deletion", () => {
  it("lets DELETE /albums/{albumId} mark the album and put events on the gallery bus, and nothing more", () => {
    const bus = named("aws:cloudwatch/eventBus:EventBus", "gallery-events-bus");
    const table = named("aws:dynamodb/table:Table", "data-gallery");
    const policy = policyDocument(named("aws:iam/rolePolicy:RolePolicy", "api-delete-albums-albumid-policy").inputs.policy).Statement;
    expect(policy.filter((s) => s.Action.some((a: string) => a.startsWith("events:")))).toEqual([{ Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.state.arn] }]);
    expect(policy.find((s) => s.Sid === "GalleryWrite")).toMatchObject({ Action: ["dynamodb:DeleteItem", "dynamodb:UpdateItem"], Resource: [table.state.arn] });
    expect(named("aws:lambda/function:Function", "api-delete-albums-albumid-function").inputs.environment.variables).toMatchObject({ EVENT_BUS_NAME: bus.state.name, EVENT_BUS_REGION: "us-east-1" });
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
      { Effect: "Allow", Action: ["dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:UpdateItem"], Resource: [table.state.arn] },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.state.arn] },
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topic.state.arn] },
    ]);
    expect(run.outputs.albumNoticesTopicArn).toBe(topic.state.arn);
  });

  it("deploys a definition that claims the album, removes its photos page by page through the queue, then the album, and marks a failure", () => {
    const table = named("aws:dynamodb/table:Table", "data-gallery");
    const queue = named("aws:sqs/queue:Queue", "photo-removals-queue");
    const definition = JSON.parse(named("aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").inputs.definition);
    const states = definition.States;
    expect(definition.StartAt).toBe("Claim");
    expect(states.NextPage).toMatchObject({ Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: table.state.name, ConsistentRead: true }, Next: "AnyPhotos" });
    const photo = states.RemovePhotos.ItemProcessor.States;
    expect(photo.SendRemoval).toMatchObject({ Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: queue.state.url }, Next: "DeletePhoto" });
    expect(states.RemovePhotos.ItemSelector.removal).toMatchObject({ "sub.$": "$.sub", "albumId.$": "$.albumId", region: "us-east-1" });
    // The delete after the send, only while the photo is as read: what DELETE of one photo does.
    expect(photo.DeletePhoto.Parameters).toMatchObject({ TableName: table.state.name, ConditionExpression: "attribute_exists(pk) AND #status = :status" });
    expect(states.RemovePhotos.Next).toBe("NextPage");
    expect(states.AnyPhotos.Default).toBe("DeleteAlbum");
    // Every Task outside the notices ends in MarkFailed when its retries are spent.
    for (const name of ["Claim", "NextPage", "RemovePhotos", "DeleteAlbum"]) expect(states[name].Catch.at(-1), name).toEqual({ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" });
    expect(states.MarkFailed.Parameters.UpdateExpression).toBe("SET deletion.#state = :failed, deletion.#error = :error REMOVE deletion.#execution");
  });
});
