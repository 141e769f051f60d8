/**
 * The XML text helpers of the local emulators that answer or read AWS's XML protocols (S3's REST-XML, SNS's query
 * answers, the CloudFront stub's): the five predefined entities and numeric character references, and a tag's values
 * read without a parser (the answers read here are flat, and a parser would be one more dependency for a few tags).
 */

/** Every `<tag>…</tag>` content of `xml`, as written (escaped, its own elements included), in order. */
export function xmlElements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
}

/** Every `<tag>…</tag>` value of `xml`, unescaped, in order. */
export function xmlValues(xml: string, tag: string): string[] {
  return xmlElements(xml, tag).map(unescapeXml);
}

/**
 * `text` as element content (or a quoted attribute value) of the emulators' XML answers, read back as it was by an
 * XML parser, the AWS SDKs' included (@aws-sdk/xml-builder's parseXML decodes the five predefined entities and
 * numeric references): `&`, `<`, `>`, `"` and `'` as their entities, and a carriage return as `&#13;`, since a parser
 * turns a literal one into a line feed (XML 1.0 §2.11, end-of-line handling; parseXML does so before parsing).
 * A character XML 1.0 has no Char for (the C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF) is
 * written as a numeric reference, `&#x1;`, as S3 writes a key holding one into a listing without encoding-type=url
 * (basho/riak_cs#1255, matching S3; not on AWS's pages): the AWS SDKs' parser reads it back as the character, so a
 * client lists the exact key, while a raw one is dropped or refused by some parsers and U+FFFD would name another key.
 * Strict XML 1.0 parsers (a browser's DOMParser) refuse both forms ("Characters referred to using character
 * references must match the production for Char", §4.1): S3's way to list such keys for them is encoding-type=url.
 * The one escape of local/: the S3 and SNS servers, the CloudFront stub and the local hosted UI's pages answer with it.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;")
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, (char) => `&#x${char.charCodeAt(0).toString(16).toUpperCase()};`);
}

/** `&amp;` last, so an escaped entity (`&amp;lt;`) reads as its text (`&lt;`), not as `<`. */
export function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (reference, hex) => xmlChar(reference, parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (reference, dec) => xmlChar(reference, Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** A document the emulators cannot read as XML: each server answers it as its service answers malformed XML. */
export class MalformedXml extends Error {}

/**
 * The character a numeric reference names, if XML allows it: "Characters referred to using character references must
 * match the production for Char" (XML 1.0 §4.1, WFC: Legal Character; Char is #x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF], §2.2). Beyond U+10FFFF String.fromCodePoint threw a RangeError, a 500.
 */
function xmlChar(reference: string, code: number): string {
  const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  if (!legal) throw new MalformedXml(`${reference} names no character XML allows`);
  return String.fromCodePoint(code);
}
