/** requestModel is exported (docs use it): a zod 4 schema, classic or mini, becomes a draft-4 API Gateway model. */
import { describe, expect, it } from "vitest";
import * as classic from "zod";
import * as mini from "zod/mini";
import { requestModel } from "../../components";
import { CreateAlbum } from "../../handlers/shared/gallery-schemas";

describe("requestModel", () => {
  it("turns the gallery's zod/mini schema into JSON Schema draft 4", () => {
    const model = requestModel(CreateAlbum);
    expect(model.$schema).toBe("http://json-schema.org/draft-04/schema#");
    expect(model).toMatchObject({ type: "object", required: ["title"], additionalProperties: false });
  });

  it("takes classic zod schemas too, describing the request as sent (a default does not make a field required)", () => {
    expect(requestModel(classic.object({ title: classic.string(), tags: classic.array(classic.string()).default([]) }))).toMatchObject({ required: ["title"] });
    expect(requestModel(mini.object({ n: mini.number() }))).toMatchObject({ properties: { n: { type: "number" } } });
  });
});
