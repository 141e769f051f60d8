/**
 * The region-failure drill in CI: the prod stack locally (one API per region behind the local Route 53), the home
 * region failing in the middle of a write. Deterministic: the health-check clock is the drill's own (one round per
 * requestInterval of it), so the assertions are on counts and order, never on elapsed time.
 */
import { describe, expect, it } from "vitest";
import { formatDrill, runDrill } from "../../local/drill";

describe("npm run drill (prod: us-east-1 and us-west-2, latency routing)", () => {
  it("moves requests to the surviving region after the health checks fail, losing and duplicating nothing", async () => {
    const report = await runDrill({ stack: "prod", writes: 6, failAt: 2, load: () => import("../../index.js") });
    console.log(formatDrill(report).join("\n"));

    expect(report).toMatchObject({ failedRegion: "us-east-1", survivingRegion: "us-west-2", failureThreshold: 3, requestInterval: 30 });
    // Before the failure the client's closest region answers; after detection the other one does; after recovery, home again.
    const firstSurvivor = report.answeredBy.indexOf("us-west-2");
    expect(report.answeredBy.slice(0, firstSurvivor).every((r) => r === "us-east-1")).toBe(true);
    expect(firstSurvivor).toBe(2 * 2); // two albums created and read back before the failure
    expect(report.answeredBy.at(-1)).toBe("us-east-1");
    // The detection window: one failed request per health-check round until failureThreshold rounds have failed.
    expect(report.failedRequests).toBe(report.failureThreshold);
    expect(report.detectionSeconds).toBeGreaterThan((report.failureThreshold - 1) * report.requestInterval);
    expect(report.detectionSeconds).toBeLessThanOrEqual(report.failureThreshold * report.requestInterval);
    // The write whose answer was lost committed once; its retry found it instead of making a second album.
    expect(report.replays).toBe(1);
    expect(Object.keys(report.created)).toHaveLength(6);
    expect([...report.listed].sort()).toEqual(Object.keys(report.created).sort());
    expect(report.timeline.map((e) => e.t)).toEqual([...report.timeline.map((e) => e.t)].sort((a, b) => a - b));
  }, 120_000);
});
