/**
 * API Gateway mapping templates under `npm start` (local/vtl.ts), against the variables and examples of "Variables for
 * data transformations" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html)
 * and the passthrough behaviours (integration-passthrough-behaviors.html). Each row fails if its variable were wrong.
 */
import { describe, expect, it, vi } from "vitest";
import { escapeJavaScript, FOREACH_LIMIT, jsonPath, MappingTemplateError, PATH_VALUES, RENDER_STEPS, renderMappingTemplate, selectRequestTemplate, selectResponseTemplate, type MappingTemplateInput } from "../../local/vtl";

const input = (overrides: Partial<MappingTemplateInput> = {}): MappingTemplateInput => ({
  body: JSON.stringify({ name: "Ann", pets: [{ type: "dog", price: 249.99 }, { type: "cat", price: 124.99 }], nested: { deep: { id: 7 } } }),
  params: { path: { petId: "42" }, querystring: { q: "search", petId: "from-query" }, header: { "X-Trace": "abc", Accept: "application/json" } },
  context: {
    requestId: "req-1",
    identity: { sourceIp: "192.0.2.1", userAgent: "curl/8" },
    requestTimeEpoch: 1700000000000,
    stage: "dev",
    httpMethod: "POST",
    resourcePath: "/pets/{petId}",
    authorizer: { principalId: "user-1", claims: { email: "ann@example.com" } },
  },
  stageVariables: { table: "pets-dev" },
  ...overrides,
});

// No wall-time or regular-expression budget (Infinity): what a row renders never depends on how loaded the machine is.
// The budgets have tests of their own, with small budgets or an injected clock.
const render = (template: string, overrides?: Partial<MappingTemplateInput>) => renderMappingTemplate(template, input(overrides), Infinity, Infinity).output;

describe("renderMappingTemplate: $input", () => {
  it.each([
    ["$input.body is the raw payload", "$input.body", input().body],
    ["$input.json('$.pets') is a JSON string", "$input.json('$.pets')", '[{"type":"dog","price":249.99},{"type":"cat","price":124.99}]'],
    ["$input.json('$.name') keeps a string's quotes", "$input.json('$.name')", '"Ann"'],
    ["$input.json('$') is the whole payload", "$input.json('$')", input().body],
    ["$input.path('$.pets').size()", "$input.path('$.pets').size()", "2"],
    ["$input.path('$.pets')[0].type", "$input.path('$.pets')[0].type", "dog"],
    ["$input.path('$').nested.deep.id", "$input.path('$').nested.deep.id", "7"],
    ["$input.path('$.pets[1].price')", "$input.path('$.pets[1].price')", "124.99"],
    ["$input.path with bracket notation", "$input.path(\"$['nested']['deep']['id']\")", "7"],
    ["$input.json over a wildcard", "$input.json('$.pets[*].type')", '["dog","cat"]'],
    ["$input.params('petId') searches the path first", "$input.params('petId')", "42"],
    ["$input.params('q') from the query string", "$input.params('q')", "search"],
    ["$input.params('x-trace') from a header, any case", "$input.params('x-trace')", "abc"],
    ["$input.params('absent') is empty", "[$input.params('absent')]", "[]"],
    ["$input.params().path.petId", "$input.params().path.petId", "42"],
    ["$input.params().header.get('X-Trace')", "$input.params().header.get('X-Trace')", "abc"],
    ["$input.path('$') printed whole is a Java map, its lists JSON", "$input.path('$')", '{name=Ann, pets=[{"type":"dog","price":249.99},{"type":"cat","price":124.99}], nested={deep={id=7}}}'],
    ["$input.json of a path that matches nothing is null", "$input.json('$.missing')", "null"],
  ])("%s", (_, template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("the documented loop over $input.params() writes every parameter (#set, #foreach, $foreach.hasNext)", () => {
    const template = `#set($allParams = $input.params())
{#foreach($type in $allParams.keySet())#set($params = $allParams.get($type))"$type":{#foreach($paramName in $params.keySet())"$paramName":"$util.escapeJavaScript($params.get($paramName))"#if($foreach.hasNext),#end#end}#if($foreach.hasNext),#end#end}`;
    expect(JSON.parse(render(template))).toEqual({ path: { petId: "42" }, querystring: { q: "search", petId: "from-query" }, header: { "X-Trace": "abc", Accept: "application/json" } });
  });

  it("the documented #foreach over $input.path builds a list ($foreach.hasNext between items)", () => {
    const template = `[#foreach($pet in $input.path('$.pets')){"kind":"$pet.type","cost":$pet.price}#if($foreach.hasNext),#end#end]`;
    expect(JSON.parse(render(template))).toEqual([{ kind: "dog", cost: 249.99 }, { kind: "cat", cost: 124.99 }]);
  });

  it("#if/#else on a path value", () => {
    const template = "#set($p = $input.path('$.pets[0].price'))#if($p > 200)premium#{else}standard#end";
    expect(render(template)).toBe("premium");
    expect(render(template, { body: '{"pets":[{"price":5}]}' })).toBe("standard");
  });

  it("an empty body reads as {} for $input.json and $input.path", () => {
    expect(render("$input.json('$')", { body: "" })).toBe("{}");
    expect(render("[$!input.path('$.name')]", { body: "" })).toBe("[]");
  });

  it("a body that is not JSON fails $input.json (API Gateway answers 500), but $input.body still reads it", () => {
    expect(render("$input.body", { body: "a=1&b=2" })).toBe("a=1&b=2");
    expect(() => render("$input.json('$')", { body: "a=1" })).toThrow(/not JSON/);
  });
});

describe("renderMappingTemplate: $util", () => {
  it.each([
    ["escapeJavaScript escapes quotes, backslashes and newlines", "$util.escapeJavaScript($input.path('$.s'))", JSON.stringify({ s: "it's \"q\" \\ a\nb" }), "it\\'s \\\"q\\\" \\\\ a\\nb"],
    ["escapeJavaScript(...).replaceAll(\"\\\\'\",\"'\") as AWS's page advises for JSON", "$util.escapeJavaScript($input.path('$.s')).replaceAll(\"\\\\'\",\"'\")", JSON.stringify({ s: "it's" }), "it's"],
    ["parseJson returns an object", "$util.parseJson($input.path('$.s')).a.b", JSON.stringify({ s: '{"a":{"b":"deep"}}' }), "deep"],
    ["urlEncode is form encoding (spaces as +)", "$util.urlEncode($input.path('$.s'))", JSON.stringify({ s: "a b&c=d/é*" }), "a+b%26c%3Dd%2F%C3%A9*"],
    ["urlDecode reverses it", "$util.urlDecode($input.path('$.s'))", JSON.stringify({ s: "a+b%26c%3Dd" }), "a b&c=d"],
    ["base64Encode", "$util.base64Encode($input.path('$.s'))", JSON.stringify({ s: "hello world" }), "aGVsbG8gd29ybGQ="],
    ["base64Decode", "$util.base64Decode($input.path('$.s'))", JSON.stringify({ s: "aGVsbG8gd29ybGQ=" }), "hello world"],
  ])("%s", (_, template, body, expected) => {
    expect(render(template, { body })).toBe(expected);
  });

  it("escapeJavaScript escapes / and non-ASCII as Commons Lang does", () => {
    expect(escapeJavaScript("a/é\u0001")).toBe("a\\/\\u00E9\\u0001");
  });
});

describe("renderMappingTemplate: $context and $stageVariables", () => {
  it.each([
    ["$context.requestId", "req-1"],
    ["$context.identity.sourceIp", "192.0.2.1"],
    ["$context.requestTimeEpoch", "1700000000000"],
    ["$context.stage", "dev"],
    ["$context.httpMethod", "POST"],
    ["$context.resourcePath", "/pets/{petId}"],
    ["$context.authorizer.principalId", "user-1"],
    ["$context.authorizer.claims.email", "ann@example.com"],
    ["$stageVariables.table", "pets-dev"],
    ["[$context.authorizer.claims.missing]", "[]"],
  ])("%s", (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("#set($context.responseOverride.status) and .header are returned, not printed", () => {
    const rendered = renderMappingTemplate('#set($context.responseOverride.status = 201)#set($context.responseOverride.header.Location = "/pets/$input.params(\'petId\')")done', input(), Infinity, Infinity);
    expect(rendered.output).toBe("done");
    expect(rendered.responseOverride).toEqual({ status: 201, header: { Location: "/pets/42" } });
    expect(renderMappingTemplate("x", input(), Infinity, Infinity).responseOverride).toEqual({ header: {} });
  });

  it("#set($context.requestOverride.header/querystring/path) are returned for the integration request", () => {
    const rendered = renderMappingTemplate('#set($context.requestOverride.header.X-Tenant = $input.params(\'X-Trace\'))#set($context.requestOverride.querystring.q = "b")#set($context.requestOverride.path.key = "k-$input.params(\'petId\')")', input(), Infinity, Infinity);
    expect(rendered.requestOverride).toEqual({ header: { "X-Tenant": "abc" }, querystring: { q: "b" }, path: { key: "k-42" } });
  });
});

describe("jsonPath", () => {
  it("deep scan and negative index", () => {
    expect(jsonPath({ a: { id: 1, b: [{ id: 2 }] } }, "$..id", Infinity)).toEqual([1, 2]);
    expect(jsonPath([1, 2, 3], "$[-1]", Infinity)).toBe(3);
    expect(jsonPath({ a: 1 }, "$.missing", Infinity)).toBeUndefined();
  });
});

// JSONPath as API Gateway reads it: its reference page points to Jayway JsonPath ("JSONPath for Java"); the rows follow
// Jayway's README operators and its filter/slice source (FilterCompiler, EvaluatorFactory, ValueNodes, ArraySliceToken).
describe("renderMappingTemplate: JSONPath filters and slices (Jayway's)", () => {
  const body = JSON.stringify({
    limit: 100,
    items: [
      { id: 1, name: "Anvil", price: 5, tags: ["heavy", "iron"], isbn: null },
      { id: 2, name: "Bell", price: 150, tags: [] },
      { id: 3, name: "cord", price: "5", tags: ["rope"] },
    ],
  });
  it.each([
    ["a filter's matches as a JSON list", "$input.json('$.items[?(@.price < 10)].id')", "[1]"],
    ["a filter that matches nothing is an empty list, not null", "$input.json('$.items[?(@.price > 1000)]')", "[]"],
    ["$input.path of a filter is a list to index", `$input.path("$.items[?(@.name == 'Bell')]")[0].price`, "150"],
    ["&&, || and parentheses", "$input.json('$.items[?((@.price < 10 && @.id < 2) || @.id == 3)].id')", "[1,3]"],
    ["! before a parenthesis negates (a string is not < a number)", "$input.json('$.items[?(!(@.price < 10))].id')", "[2,3]"],
    ["@.x alone: the key exists (a null value too)", "$input.json('$.items[?(@.isbn)].id')", "[1]"],
    ["!@.x: the key is absent", "$input.json('$.items[?(!@.isbn)].id')", "[2,3]"],
    ["== between a number and a string that reads as it (Jayway 2.2.0's loose ==)", "$input.json(\"$.items[?(@.price == '5')].id\")", "[1,3]"],
    ["=== only between values of one kind", "$input.json('$.items[?(@.price === 5)].id')", "[1]"],
    ["< only between two numbers or two strings", "$input.json(\"$.items[?(@.price < 'z')].id\")", "[3]"],
    ["$ inside a filter reads the document", "$input.json('$.items[?(@.price < $.limit)].id')", "[1]"],
    ["=~ matches the whole value (Java's matches), with flags", "$input.json('$.items[?(@.name =~ /a.*/i)].id')", "[1]"],
    ["in", "$input.json(\"$.items[?(@.name in ['Bell', 'cord'])].id\")", "[2,3]"],
    ["nin", "$input.json(\"$.items[?(@.name nin ['Bell', 'cord'])].id\")", "[1]"],
    ["subsetof", "$input.json(\"$.items[?(@.tags subsetof ['heavy', 'iron', 'gold'])].id\")", "[1,2]"],
    ["anyof", "$input.json(\"$.items[?(@.tags anyof ['rope', 'gold'])].id\")", "[3]"],
    ["noneof", "$input.json(\"$.items[?(@.tags noneof ['rope'])].id\")", "[1,2]"],
    ["size", "$input.json('$.items[?(@.tags size 2)].id')", "[1]"],
    ["empty", "$input.json('$.items[?(@.tags empty true)].id')", "[2]"],
    ["contains", "$input.json(\"$.items[?(@.tags contains 'rope')].id\")", "[3]"],
    ["a filter on a map tests the map itself", "$input.json('$[?(@.limit == 100)].limit')", "[100]"],
    ["[a:] from a, counted from the end when negative", "$input.json('$.items[-2:].id')", "[2,3]"],
    ["[:b] up to b, counted from the end when negative", "$input.json('$.items[:-1].id')", "[1,2]"],
    ["[a:b] between a and b", "$input.json('$.items[1:2].id')", "[2]"],
    ["[a:b] does not count a negative b from the end (Jayway's, unlike Python's)", "$input.json('$.items[1:-1]')", "[]"],
    ["[n,m] several indexes", "$input.json('$.items[0,2].id')", "[1,3]"],
    // Review 50, finding 5: the whole value must match, so a part of it does not.
    ["=~ does not match a part of the value", "$input.json('$.items[?(@.name =~ /nvi/)].id')", "[]"],
    // Review 50, finding 6: Jayway's readDotToken takes `..` or `.` and then any token, a bracket one too.
    ["$..[?(…)]: a scan, then the filter wherever it accepts the value", "$input.json('$..[?(@.price < 10)].id')", "[1]"],
    ["$..['name'] is $..name", "$input.json(\"$..['name']\")", '["Anvil","Bell","cord"]'],
    ["$..[0]: the first item of every list, each list before the lists inside it", "$input.json('$..[0]')", '[{"id":1,"name":"Anvil","price":5,"tags":["heavy","iron"],"isbn":null},"heavy","rope"]'],
    ["$..[0] before more steps: Jayway's walkArray hands every item of each list on", "$input.json('$..[0].id')", "[1,2,3]"],
    ["$.[0] and $.a.['b'] are $[0] and $.a['b']", "$input.json(\"$.items.[0].['name']\")", '"Anvil"'],
    // Review 50, finding 3: in/subsetof/anyof look values up, keeping Jayway's loose == in each direction.
    ["in: a number finds a string that reads as it, a string only the number's own text", "$input.json(\"$.items[?(@.price in ['5.0'])].id\")", "[1]"],
    ["in: a string finds a number that prints as it", "$input.json('$.items[?(@.price in [5])].id')", "[1,3]"],
  ])("%s", (_, template, expected) => {
    expect(render(template, { body })).toBe(expected);
  });

  it.each([
    ["JSONPath functions", "$input.json('$.items.length()')", /JSONPath functions \(\.length\(\)\) are not offered/],
    ["slice steps", "$input.json('$.items[0:3:2]')", /slice steps/],
    ["several names in one bracket", "$input.json(\"$.items[0]['id','name']\")", /several names/],
    ["script expressions", "$input.json('$.items[(@.length-1)]')", /script expressions/],
    ["operators not offered", "$input.json('$.items[?(@.tags all [1])]')", /filter operator all is not offered/],
    ["regular-expression flags JavaScript reads otherwise", "$input.json('$.items[?(@.name =~ /a/x)]')", /flags other than i, m and s/],
    ["a wildcard inside a filter's path", "$input.json('$.items[?(@.tags[*])]')", /names and single indexes only/],
    ["a filter that does not parse", "$input.json('$.items[?(@.price <)]')", /expected a value/],
    ["a pattern that would close the whole-value group", "$input.json('$.items[?(@.name =~ /a)|(.*/)].id')", /=~ "a\)\|\(\.\*": not a regular expression/],
    ["a third .", "$input.json('$...name')", /a third \. is not JSONPath/],
    // Jayway's FilterCompiler reads a word operator up to the next space: `in[1])` is one operator it does not know.
    ["a word operator without a space before its value (in[)", "$input.json('$.items[?(@.price in[5])].id')", /the filter operator in is followed by "\[", not a space/],
    ["a word operator without a space before its value (contains')", "$input.json(\"$.items[?(@.tags contains'iron')].id\")", /the filter operator contains is followed by "'", not a space/],
    ["Jayway's exists operator", "$input.json('$.items[?(@.isbn exists true)].id')", /filter operator exists is not offered by the local renderer/],
  ])("%s fail the template naming what (the route answers 500)", (_, template, message) => {
    expect(() => render(template, { body })).toThrow(MappingTemplateError);
    expect(() => render(template, { body })).toThrow(message);
  });

  it("a filter's =~ runs under the render's regular-expression budget", () => {
    const slow = JSON.stringify({ items: [`${"a".repeat(40)}!`] });
    expect(() => renderMappingTemplate("$input.json('$.items[?(@ =~ /(a+)+b/)]')", input({ body: slow }), Infinity, 20)).toThrow(/^\.=~\("\(a\+\)\+b"\) ran for more than 20 ms/);
  });
});

// AWS prints a list from $input.path as JSON, as LocalStack recorded against AWS (tests/aws/services/apigateway/
// test_apigateway_common.py::test_input_path_template_formatting, snapshot recorded 18-06-2025): "json-list",
// "list-with-nested-list", "nested-list".
describe("renderMappingTemplate: a list printed whole", () => {
  it.each([
    ["a list body", "#set($result = $input.path('$'))$result", JSON.stringify([{ foo: "bar" }]), '[{"foo":"bar"}]'],
    ["a list in a list", "#set($result = $input.path('$'))$result[0]", JSON.stringify([[{ foo: "bar" }]]), '[{"foo":"bar"}]'],
    ["a list under a key", "$input.path('$.nested')", JSON.stringify({ nested: [{ foo: "bar" }] }), '[{"foo":"bar"}]'],
    ["a list of scalars, in a string", '"$input.path(\'$.l\')"', JSON.stringify({ l: [1, "x"] }), '"[1,"x"]"'],
  ])("%s prints as JSON", (_, template, payload, expected) => {
    expect(render(template, { body: payload })).toBe(expected);
  });

  it("other lists print as Java's lists do", () => {
    expect(render("$input.params().header.keySet()|#set($l = [1, 'x'])$l")).toBe("[X-Trace, Accept]|[1, x]");
  });
});

describe("template selection", () => {
  const templates = { "application/json": "J", "application/x-www-form-urlencoded": "F" };
  it.each([
    ["the Content-Type's template", templates, "application/json; charset=utf-8", "WHEN_NO_TEMPLATES", { template: "J" }],
    ["no Content-Type reads as application/json", templates, undefined, "NEVER", { template: "J" }],
    ["a form template", templates, "application/x-www-form-urlencoded", "NEVER", { template: "F" }],
    ["WHEN_NO_MATCH passes an unmatched type through", templates, "text/plain", "WHEN_NO_MATCH", "passthrough"],
    ["WHEN_NO_TEMPLATES refuses an unmatched type when templates exist", templates, "text/plain", "WHEN_NO_TEMPLATES", "unsupported"],
    ["WHEN_NO_TEMPLATES passes through when there are none", {}, "text/plain", "WHEN_NO_TEMPLATES", "passthrough"],
    ["NEVER refuses an unmatched type", templates, "text/plain", "NEVER", "unsupported"],
    ["NEVER refuses even without templates", {}, "application/json", "NEVER", "unsupported"],
  ] as const)("%s", (_, defined, contentType, behaviour, expected) => {
    expect(selectRequestTemplate(defined, contentType, behaviour)).toEqual(expected);
  });

  it("a response template by Accept, else application/json", () => {
    const responses = { "application/xml": "X", "application/json": "J" };
    expect(selectResponseTemplate(responses, "application/xml")).toEqual({ contentType: "application/xml", template: "X" });
    expect(selectResponseTemplate(responses, "*/*")).toEqual({ contentType: "application/json", template: "J" });
    expect(selectResponseTemplate({}, undefined)).toBeUndefined();
  });
});

// Review 38e, finding 1: a template (or a body a template evaluates) must reach nothing but the values and methods
// API Gateway offers; each row below ran JavaScript or polluted Object.prototype through velocityjs before.
describe("renderMappingTemplate: nothing escapes the template", () => {
  const lookupGetter = "#set($g = $context.__lookupGetter__('__proto__'))";
  it.each([
    ["Function via __lookupGetter__", `${lookupGetter}#set($fp = $g.call($input.json))#set($F = $fp.constructor)#set($fn = $F.call($null, 'return process.mainModule ? 1 : 0'))$fn.call()`, "__lookupGetter__"],
    ["Object.prototype via __lookupGetter__", `${lookupGetter}#set($op = $g.call($context))#set($op.polluted = 'yes')`, "__lookupGetter__"],
    ["velocityjs's eval method on a body", "$input.eval($input.body)", "eval"],
    ["velocityjs's #eval macro", "#eval('#set($x = 1)')", "#eval"],
    ["a string's constructor", "$input.body.constructor('x')", "constructor"],
    ["valueOf on a map", "$context.valueOf()", "valueOf"],
    ["a velocityjs system handler (getX)", "$context.getRequestId()", "getRequestId"],
  ])("%s fails the template naming the method, and Object.prototype is untouched", (_, template, named) => {
    expect(() => render(template, { body: '{"a":1}' })).toThrow(MappingTemplateError);
    expect(() => render(template, { body: '{"a":1}' })).toThrow(named);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("methods are not values: $input.json or $util.escapeJavaScript without () are nothing to call", () => {
    expect(render("[$input.json.call($null, '$')][$util.escapeJavaScript.call($null, 'x')][#set($f = $util.parseJson)$f]")).toBe("[][][]");
  });

  it("reads only own keys: Object.prototype's members print nothing, a body's __proto__ key is an ordinary key", () => {
    expect(render("[$context.toString][$context.hasOwnProperty][$input.path('$').x][$input.path('$').__lookupGetter__]", { body: '{"__proto__":{"x":"inherited"}}' })).toBe("[][][][]");
    expect(render("$input.path('$').get('__proto__').x", { body: '{"__proto__":{"x":"own"}}' })).toBe("own");
  });

  it("the Java methods a template uses still work (strings, lists, maps)", () => {
    expect(render("$input.path('$.s').toUpperCase().substring(0, 3)|$input.path('$.l').contains(2)|$input.path('$').containsKey('s')|#foreach($k in $input.path('$').keySet())$k#end", { body: '{"s":"hello","l":[1,2]}' })).toBe("HEL|true|true|sl");
  });
});

// Review 38g, finding 1: a #set path walked with plain property reads reached built-in methods of maps and lists.
describe("renderMappingTemplate: #set reaches only maps and lists", () => {
  it.each([
    ["a map literal's toString", "#set($m = {})#set($m.toString.polluted = 'yes')"],
    ["a list's map", "#set($l = [1, 2])#set($l.map.polluted = 'yes')"],
    ["hasOwnProperty.call, by keys from the body", "#set($m = {})#set($m[$input.path('$.k')][$input.path('$.j')] = $input.path('$.v'))"],
  ])("%s is left as it is, and the next render works", (_, template) => {
    render(template, { body: '{"k":"hasOwnProperty","j":"call","v":"x"}' });
    expect((Object.prototype.toString as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(([].map as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Object.prototype.hasOwnProperty.call).toBe("function");
    expect(render("#set($m = {'a': 1})$m.a", {})).toBe("1");
  });

  it("still sets a map's keys, nested ones, and a list's existing index", () => {
    expect(render("#set($m = {'a': {'b': 1}})#set($m.c = 2)#set($m.a.b = 3)#set($l = [1, 2])#set($l[1] = 5)$m.c|$m.a.b|$l[1]|$m.size()")).toBe("2|3|5|2");
  });
});

// Review 38g, finding 2: a pattern that backtracks for minutes on a short value must not hold the runtime.
describe("renderMappingTemplate: regular expressions", () => {
  it("stops a catastrophically backtracking matches/replaceAll/split, failing the template", () => {
    const body = JSON.stringify({ v: `${"a".repeat(40)}!` });
    for (const call of ["matches('(a+)+$')", "replaceAll('(a+)+$', 'x')", "split('(a+)+$')"]) {
      // A 20 ms regex budget (the default is 1000 ms): the pattern backtracks for minutes, so either budget stops it.
      expect(() => renderMappingTemplate(`$input.path('$.v').${call}`, input({ body }), Infinity, 20)).toThrow(/ran for more than 20 ms; the local renderer stops it/);
    }
  });

  it("runs ordinary ones as before", () => {
    expect(render("$input.path('$.v').matches('a+b')|$input.path('$.v').replaceAll('a', 'x')|$input.path('$.v').split('a').size()|$input.path('$.v').replaceFirst('(a)', '$1$1')", { body: '{"v":"aab"}' })).toBe("true|xxb|3|aaab");
  });
});

// Review 38e, finding 2: AWS's quota, "Number of iterations in a #foreach ... #end loop in mapping templates: 1000".
describe("renderMappingTemplate: loop and render budgets", () => {
  it("a #foreach over 1000 items renders; over 1001 items fails the template", () => {
    const items = (n: number) => JSON.stringify({ items: Array.from({ length: n }, (_, i) => i) });
    expect(render("#foreach($i in $input.path('$.items'))x#end", { body: items(FOREACH_LIMIT) })).toBe("x".repeat(1000));
    expect(() => render("#foreach($i in $input.path('$.items'))x#end", { body: items(FOREACH_LIMIT + 1) })).toThrow(/#foreach over 1001 items.*at most 1000/);
  });

  it("a body-controlled range is refused before it is built", () => {
    const from = vi.spyOn(Array, "from");
    try {
      expect(() => render("#foreach($i in [1..$input.path('$.n')])#end done", { body: '{"n":30000000}' })).toThrow(/range \[1\.\.30000000\] has more than 1000 items/);
    } finally {
      from.mockRestore();
    }
    const built = from.mock.calls.reduce((n, [source]) => n + Number((source as { length?: number }).length ?? 0), 0);
    expect(built).toBe(0);
    expect(render("#foreach($i in [3..1])$i#end")).toBe("321");
  });

  it("nested loops within each loop's limit still stop at the render's step budget", () => {
    // No wall-time budget here: on a loaded machine it could stop the render first. The budget is a hundredth of
    // RENDER_STEPS, and the loops a hundredth of theirs too (each still within FOREACH_LIMIT): a million iterations
    // cost about 2 CPU-seconds (issue 15), and the bound is the same check whatever its size.
    expect(RENDER_STEPS).toBe(1_000_000);
    expect(() => renderMappingTemplate("#foreach($a in [1..100])#foreach($b in [1..100])#foreach($c in [1..2])#end#end#end", input(), Infinity, undefined, RENDER_STEPS / 100)).toThrow(/more than 10000 loop iterations/);
    // Within the budget, the same loops render.
    expect(() => renderMappingTemplate("#foreach($a in [1..50])#foreach($b in [1..50])#foreach($c in [1..2])#end#end#end", input(), Infinity, undefined, RENDER_STEPS / 100)).not.toThrow();
  });

  it("stops a render that outlasts its wall-time budget", () => {
    // A budget already spent (-1 ms): the first check stops it, however fast the machine.
    expect(() => renderMappingTemplate("#foreach($a in [1..3])$a#end", input(), -1)).toThrow(/^the template renders for more than -1 ms/);
  });
});

// Review 38e, finding 4: every render gets its own $util, $input, $context.
describe("renderMappingTemplate: $input.params(x) search order", () => {
  it("a header is read only when neither path nor query string has the name", () => {
    const params = { path: {}, querystring: { who: "query" }, header: { who: "header", Only: "header-only" } };
    expect(render("$input.params('who')|$input.params('only')", { params })).toBe("query|header-only");
  });
});

describe("renderMappingTemplate: no state between renders", () => {
  it("#set on $util, $input or $context in one render is not seen by the next", () => {
    render("#set($util.escapeJavaScript = 'gone')#set($input.body = 'gone')#set($context.requestId = 'gone')");
    expect(render("$util.escapeJavaScript('a')|$context.requestId", { body: "{}" })).toBe("a|req-1");
    expect(render("$input.body", { body: "kept" })).toBe("kept");
  });
});

// Review 50: hostile paths and bodies fail the template (a 500 naming why), never the local runtime.
describe("jsonPath: bounds (review 50)", () => {
  const pagination = `#set($from = $input.params('from'))$input.json("$.items[$from:2]")`;
  const page = (from: string) => render(pagination, { body: JSON.stringify({ items: [1, 2, 3] }), params: { path: {}, header: {}, querystring: { from } } });

  it("clamps a slice's start from the request as Jayway skips it, building nothing of its size", () => {
    const from = vi.spyOn(Array, "from");
    const built = () => from.mock.calls.reduce((n, [source]) => n + Number((source as { length?: number }).length ?? 0), 0);
    try {
      expect(page("-10000000")).toBe("[1,2,3,1,2]");
      expect(built()).toBeLessThan(10);
      expect(page("-1000000000")).toBe("[1,2,3,1,2]");
      expect(built()).toBeLessThan(10);
    } finally {
      from.mockRestore();
    }
    expect(page("-1")).toBe("[3,1,2]");
  });

  it("checks the deadline while it walks and scans, failing the template naming the path", () => {
    const body = { a: Array.from({ length: 100_000 }, (_, i) => ({ name: i })) };
    // A clock that moves 1 ms per read: the 5 ms budget runs out part-way through, however fast the machine.
    let now = 0;
    const clock = vi.spyOn(Date, "now").mockImplementation(() => now++);
    try {
      expect(() => jsonPath(body, "$..name", 5)).toThrow(/JSONPath "\$\.\.name" runs past the render's time budget/);
      now = 0;
      expect(() => jsonPath(body, "$.a[*].name", 5)).toThrow(/JSONPath "\$\.a\[\*\]\.name" runs past/);
      now = 0;
      expect(() => renderMappingTemplate("$input.json('$..name')", input({ body: JSON.stringify(body) }), 20)).toThrow(MappingTemplateError);
    } finally {
      clock.mockRestore();
    }
  });

  it("refuses a path that matches more than PATH_VALUES values (a scan after a scan over a deep body)", () => {
    let chain: unknown = 1;
    for (let i = 0; i < 4_500; i++) chain = [chain];
    // No wall-time budget: building 10M values takes seconds on a loaded machine, and the deadline must not win.
    expect(() => jsonPath(chain, "$..*..*", Infinity)).toThrow(new RegExp(`matches more than ${PATH_VALUES} values`));
  });

  it("scans 150,000 matches and a body nested 100,000 deep; a filter nested too deeply fails naming its path", () => {
    expect((jsonPath({ a: Array.from({ length: 150_000 }, () => ({ name: 1 })) }, "$..name", Infinity) as unknown[]).length).toBe(150_000);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect((jsonPath(deep, "$..*", Infinity) as unknown[]).length).toBe(100_000);
    const nested = `$[?(${"!".repeat(20_000)}(@.a))]`;
    expect(() => jsonPath([{ a: 1 }], nested, Infinity)).toThrow(MappingTemplateError);
    expect(() => jsonPath([{ a: 1 }], nested, Infinity)).toThrow(/nest too deeply for the local renderer/);
  });

  it("a body too deep to print or copy fails the template saying so, not with a bare RangeError", () => {
    const body = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    for (const template of ["$input.json('$')", "$input.path('$')"]) expect(() => render(template, { body })).toThrow(/nests too deeply for the local renderer/);
  });

  it("scans in Jayway's order: each map's own match before those below it (ScanPathToken.walkObject)", () => {
    expect(jsonPath({ a: { name: 1 }, name: 2 }, "$..name", Infinity)).toEqual([2, 1]);
    expect(jsonPath({ a: { x: 1 }, b: 2 }, "$..*", Infinity)).toEqual([{ x: 1 }, 2, 1]);
  });

  it("anyof between two body lists is one lookup per item, not one comparison per pair", () => {
    const body = (n: number, shared: string) => JSON.stringify({ allowed: Array.from({ length: n }, (_, i) => `x${i}`), items: [{ tags: [...Array.from({ length: n }, (_, i) => `y${i}`), shared] }] });
    // The pairwise form calls right.some() once per left item; a lookup calls it not at all.
    const some = vi.spyOn(Array.prototype, "some");
    try {
      expect(render("$input.json('$.items[?(@.tags anyof $.allowed)]')", { body: body(5_000, "z") })).toBe("[]");
      expect(some.mock.calls.length).toBeLessThan(100);
    } finally {
      some.mockRestore();
    }
    expect(JSON.parse(render("$input.json('$.items[?(@.tags anyof $.allowed)]')", { body: body(60_000, "x59999") }))).toHaveLength(1);
  });

  it("in, subsetof and noneof compare lists and maps by content (map keys in any order), not by JSON text alone", () => {
    const doc = JSON.parse('{"allowed":[["heavy","iron"],{"b":1,"a":2},[null]],"items":[{"t":["heavy","iron"]},{"t":{"a":2,"b":1}},{"t":["iron","heavy"]},{"t":[1e400]}]}');
    expect(jsonPath(doc, "$.items[?(@.t in $.allowed)]", Infinity)).toEqual([doc.items[0], doc.items[1]]);
    expect(jsonPath(doc, "$.items[?(@.t nin $.allowed)]", Infinity)).toEqual([doc.items[2], doc.items[3]]);
    expect(jsonPath({ a: [1, "2", [3]], b: ["1", 2, [3], 4] }, "$[?(@.a subsetof $.b)]", Infinity)).toEqual([{ a: [1, "2", [3]], b: ["1", 2, [3], 4] }]);
    expect(jsonPath({ a: [[null]], b: [[1e400 * 1]] }, "$[?(@.a noneof $.b)]", Infinity)).toHaveLength(1);
  });

  it("=~ and .matches() match the whole value, whatever the flags; a pattern must compile on its own", () => {
    const doc = [{ s: "first\nsecond" }, { s: "second" }];
    expect(jsonPath(doc, "$[?(@.s =~ /second/m)]", Infinity)).toEqual([{ s: "second" }]);
    expect(jsonPath(doc, "$[?(@.s =~ /first/m)]", Infinity)).toEqual([]);
    expect(jsonPath(doc, "$[?(@.s =~ /first.second/s)]", Infinity)).toEqual([{ s: "first\nsecond" }]);
    expect(render("$input.path('$.v').matches('b')|$input.path('$.v').matches('a.*')", { body: '{"v":"ab"}' })).toBe("false|true");
    expect(() => render("$input.path('$.v').matches('a)|(.*')", { body: '{"v":"ab"}' })).toThrow(/\.matches\(\) "a\)\|\(\.\*": not a regular expression/);
  });
});
