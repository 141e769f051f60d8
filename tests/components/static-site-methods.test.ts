/** The method lists StaticSite's behaviours share are read-only: a change through the exported one cannot reach every site. */
import { describe, expect, it } from "vitest";
import { CACHED_METHODS } from "../../components/static-site/distribution";

describe("StaticSite's CACHED_METHODS", () => {
  it("is frozen: adding, replacing or removing a method throws, and the list stays GET and HEAD", () => {
    const writable = CACHED_METHODS as string[];
    expect(Object.isFrozen(CACHED_METHODS)).toBe(true);
    expect(() => writable.push("POST")).toThrow(TypeError);
    expect(() => {
      writable[0] = "POST";
    }).toThrow(TypeError);
    expect(() => writable.pop()).toThrow(TypeError);
    expect(CACHED_METHODS).toEqual(["GET", "HEAD"]);
  });
});
