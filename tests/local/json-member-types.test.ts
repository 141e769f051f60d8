/**
 * jsonTypeCheck reads an SDK client's model through @smithy/core's schema API, internal to the SDK: when the model has
 * no operation schemas, or one cannot be read, the check is off (one log line) and requests go on unchecked, instead
 * of every request failing. With the real model it refuses a wrong type and lets the right ones through.
 */
import * as cognitoModel from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import { jsonTypeCheck, ModelInputs } from "../../local/json-member-types";

it("checks the real model's actions: a wrong type refused, the right types and an unknown action let through", () => {
  const logs: string[] = [];
  const check = jsonTypeCheck(cognitoModel as Record<string, unknown>, (m) => logs.push(m));
  expect(check("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: "c", AuthParameters: { USERNAME: 1 } })).toBe("AuthParameters.USERNAME: expected a string, got a number");
  expect(check("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: "c", AuthParameters: { USERNAME: "ann" } })).toBeUndefined();
  expect(check("NoSuchAction", { anything: 1 })).toBeUndefined();
  expect(check("InitiateAuthRequest", 7)).toBeUndefined(); // a structure's schema, not an action's
  expect(logs).toEqual([]);
});

it("is off, with one log line, for a model without operation schemas", () => {
  const logs: string[] = [];
  const check = jsonTypeCheck({ InitiateAuthCommand: class {} }, (m) => logs.push(m));
  expect(check("InitiateAuth", { ClientId: 7 })).toBeUndefined();
  expect(logs).toEqual([expect.stringContaining("not checked")]);
});

it("turns itself off, with one log line, when a schema cannot be read, and lets every request through from then on", () => {
  const logs: string[] = [];
  const unreadable = () => {
    throw new Error("unknown schema format");
  };
  const model = {
    "Broken$": [9, "ns", "Broken", 0, [3, "ns", "BrokenRequest", 0, ["Name", "Inner"], [0, unreadable]], null],
    "Fine$": [9, "ns", "Fine", 0, [3, "ns", "FineRequest", 0, ["Name"], [0]], null],
  };
  const check = jsonTypeCheck(model, (m) => logs.push(m));
  expect(check("Fine", { Name: 1 })).toBe("Name: expected a string, got a number");
  expect(check("Broken", { Name: "a", Inner: "b" })).toBeUndefined();
  expect(check("Broken", { Name: "a", Inner: "b" })).toBeUndefined();
  expect(check("Fine", { Name: 1 })).toBeUndefined();
  expect(logs).toEqual([expect.stringContaining("unknown schema format")]);
});

it("fails only the request whose check throws: one request cannot switch the checks off for every later one", () => {
  const logs: string[] = [];
  const inputs = new ModelInputs(cognitoModel as Record<string, unknown>, (m) => logs.push(m));
  const check = jsonTypeCheck(inputs);
  expect(() =>
    inputs.check("InitiateAuth", () => {
      throw new RangeError("Maximum call stack size exceeded");
    }),
  ).toThrow(RangeError);
  expect(check("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: 7 })).toBe("ClientId: expected a string, got a number");
  expect(logs).toEqual([]);
});
