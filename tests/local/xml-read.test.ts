/**
 * local/xml.ts's readers. A value is decoded in one pass: what a reference stands for is not read again. The local
 * emulators' XML answers are read back by local/'s own readers as the AWS SDKs read them: the Step Functions
 * SNS integration reads an SNS error that quotes a control character (local/xml.ts escapeXml writes it `&#x1;`) as
 * SNS's error, not as a document it cannot read (unescapeXml refused the reference: MalformedXml). A request document
 * is read only once it is well-formed XML with the operation's root element (xmlDocument).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localServiceIntegrations, ServiceTaskFailure, type ServiceTaskContext } from "../../local/sfn-integrations";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalSns, type LocalSnsServer } from "../../local/sns-server";
import { MalformedXml, unescapeXml, xmlDocument, xmlValues } from "../../local/xml";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:news`;
const context: ServiceTaskContext = { region: "us-east-1", account: ACCOUNT, executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:flow:run-1`, stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:flow` };

let sns: LocalSnsServer;
beforeAll(async () => {
  sns = await startLocalSns({ topics: [{ arn: TOPIC, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [] }] });
});
afterAll(async () => {
  await sns?.stop();
});

describe("an SNS answer holding a control character, read by the Step Functions integration", () => {
  it("fails the Task with SNS's error and its message, the control character as sent", async () => {
    const integrations = localServiceIntegrations({ endpoints: () => ({ sns: sns.endpoint }), credentials: LOCAL_CREDENTIALS });
    // An empty value for a custom String type: SNS's message quotes the type, U+0001 and all.
    const error = await integrations.run("sns:publish", { TopicArn: TOPIC, Message: "m", MessageAttributes: { kind: { DataType: "String.a\x01b", StringValue: "" } } }, context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceTaskFailure);
    expect((error as Error).name).toMatch(/^SNS\./);
    expect((error as Error).message).toContain("message attribute type 'String.a\x01b'");
  });
});

describe("a value holding a reference to '&'", () => {
  it("is decoded once: `&#x26;#49;` is the text `&#49;` (a DeleteObjects key), not `1`", () => {
    expect(xmlValues("<Key>&#x26;#49;</Key><Key>&#38;lt;&#x26;amp;</Key>", "Key")).toEqual(["&#49;", "&lt;&amp;"]);
    expect(unescapeXml("&#x26;#x1;")).toBe("&#x1;");
  });
});

describe("a request document (xmlDocument)", () => {
  const refusal = (xml: string) => {
    try {
      xmlDocument(xml, "Delete");
      return "read";
    } catch (error) {
      return error instanceof MalformedXml ? "MalformedXml" : error;
    }
  };

  it("reads well-formed XML whose root element is the one asked for: a declaration, a namespace or prefix, comments, instructions, CDATA, references, empty elements", () => {
    for (const xml of [
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>',
      "\uFEFF\n<!----><!-- note --><Delete a = 'x&lt;' b=\"y\" >\n <Object><Key>a &amp; &#x41;&#66;</Key></Object><Object/></Delete >\n<?done now?>",
      '<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Object><s3:Key><![CDATA[a<b]]></s3:Key></s3:Object></s3:Delete>',
      "<Delete/>",
    ]) {
      expect([xml, refusal(xml)]).toEqual([xml, "read"]);
    }
  });

  it("refuses what is not well-formed, or has another root element, as MalformedXml", () => {
    for (const xml of [
      "",
      "text",
      "<Delete><Object><Key>a</Key></Object>",
      "<Other></Other>",
      "<DeleteX></DeleteX>",
      "<Delete><Object><Key>a</Object></Delete>",
      "<Delete></Delete>trailing",
      "<Delete></Delete><Delete></Delete>",
      "<Delete><Key>a & b</Key></Delete>",
      "<Delete><Key>a&bogus;</Key></Delete>",
      "<Delete><Key>a<b</Key></Delete>",
      "<Delete><Key>a]]>b</Key></Delete>",
      "<Delete x=1></Delete>",
      '<Delete a="1" a="2"></Delete>',
      '<Delete a="1"b="2"></Delete>',
      "<1Delete></1Delete>",
      "<Delete></Delete x>",
      '<!DOCTYPE Delete [<!ENTITY k "v">]><Delete><Key>&k;</Key></Delete>',
      ' <?xml version="1.0"?><Delete/>',
      "<![CDATA[x]]><Delete/>",
      "<!-- a -- b --><Delete/>",
      "<Delete><!-- open </Delete>",
      "<Delete><Key>a\u0001</Key></Delete>",
      "<Delete><Key>a&#x1;</Key></Delete>",
    ]) {
      expect([xml, refusal(xml)]).toEqual([xml, "MalformedXml"]);
    }
  });
});
