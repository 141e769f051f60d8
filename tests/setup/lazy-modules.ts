/**
 * Test files load `@pulumi/pulumi` without `@npmcli/arborist` and TypeScript until a test
 * serialises a closure (local/offline/lazy-modules.cjs): ≈1 s of CPU less per test file that
 * loads the SDK (issue 15). First among the setup files, before anything loads the SDK.
 */
import { createRequire } from "node:module";

(createRequire(__filename)("../../local/offline/lazy-modules.cjs") as { deferPulumiSerialisationModules(): void }).deferPulumiSerialisationModules();
