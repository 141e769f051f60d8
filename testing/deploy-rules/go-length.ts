/**
 * A name's length as pulumi-aws measures it against its maximum, shared by the naming rules (names.ts) and those that
 * check a name of their own (eventbridge.ts). Not part of the `testing` exports (index.ts does not re-export this module).
 */

/** A name's length as pulumi-aws measures it against its maximum: Go's len, in UTF-8 bytes. */
export const goLength = (text: string) => Buffer.byteLength(text, "utf8");
