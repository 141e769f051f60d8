/** What the local S3 server's XML answers hold, whatever a request held (tests/local/s3-*.test.ts). */
import { expect } from "vitest";

/**
 * `xml` holds no raw character XML 1.0 has no Char for (Char is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF], §2.2): such a character is written as a numeric reference (`&#x1;`), as S3 writes it, which the
 * AWS SDKs' parser reads back as the character (local/xml.ts escapeXml).
 */
export function expectNoRawNonChars(xml: string): void {
  expect(xml.match(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu) ?? []).toEqual([]);
}
