/** What the local S3 server's XML answers must be whatever a request held (tests/local/s3-*.test.ts). */
import { expect } from "vitest";

/**
 * `xml` as an XML 1.0 parser reads it, a browser's DOMParser among them, as far as characters go: every character and
 * character reference one XML 1.0 allows — Char is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF] (§2.2), references included (§4.1, WFC: Legal Character). No strict XML parser is installed
 * (sax, there through xml2js, does not check characters), hence this check of the one rule at stake.
 */
export function expectXml10(xml: string): void {
  expect(xml.match(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu) ?? []).toEqual([]);
  const legal = (code: number) => code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  const references = [...xml.matchAll(/&#(?:x([0-9a-fA-F]+)|(\d+));/g)].map(([reference, hex, dec]) => [reference, legal(hex ? parseInt(hex, 16) : Number(dec))]);
  expect(references.filter(([, allowed]) => !allowed)).toEqual([]);
}
