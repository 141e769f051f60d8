/**
 * The XML text helpers of the local emulators that answer or read AWS's XML protocols (S3's REST-XML, SNS's query
 * answers, the CloudFront stub's): the five predefined entities and numeric character references, and a tag's values
 * read without a parser (the answers read here are flat, and a parser would be one more dependency for a few tags).
 */

/** Every `<tag>…</tag>` content of `xml`, as written (escaped, its own elements included), in order. */
export function xmlElements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
}

/**
 * Every `<tag>…</tag>` value of `xml`, a document sent to an emulator (a request's body: S3's DeleteObjects and
 * CompleteMultipartUpload, the CloudFront stub's invalidation), unescaped, in order, read as XML 1.0: a character it
 * has no Char for is MalformedXml, written raw or as a numeric reference. S3 refuses both in a DeleteObjects body with
 * MalformedXML: a raw control character (boto3#2005, aws-sdk-java#333: the SDKs write one raw) and `&#x1;`
 * (basho/riak_cs#974, S3's answer quoted, 2015); not on AWS's pages. An answer an emulator wrote is read with
 * unescapeXml, as an SDK reads it.
 */
export function xmlValues(xml: string, tag: string): string[] {
  return xmlElements(xml, tag).map((value) => {
    const raw = NOT_XML_CHAR.exec(value);
    if (raw) throw new MalformedXml(`U+${raw[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} is no character XML allows`);
    return unescaped(value, isXmlChar);
  });
}

/** A character XML 1.0 has no Char for, as escapeXml writes it as a reference (lone surrogates are U+FFFD once decoded as UTF-8). */
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, "g");

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
    .replace(NOT_XML_CHARS, (char) => `&#x${char.charCodeAt(0).toString(16).toUpperCase()};`);
}

/**
 * `text`, an answer's value an emulator wrote (escapeXml), read back as the AWS SDKs' parser reads it: a numeric
 * reference to any code point is its character, the controls escapeXml writes so included (a local reader that
 * refused `&#x1;` failed, as MalformedXml, on an SNS error that quoted a control character). A document sent to an
 * emulator is read with xmlValues (XML 1.0).
 */
export function unescapeXml(text: string): string {
  return unescaped(text, () => true);
}

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

/**
 * One pass, so what a reference or entity stands for is never read again (`&amp;lt;` is `&lt;`, `&#x26;#49;` is
 * `&#49;`); a reference `allowed` refuses is MalformedXml.
 */
function unescaped(text: string, allowed: (code: number) => boolean): string {
  return text.replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|quot|apos|amp));/g, (reference, hex?: string, dec?: string, entity?: string) =>
    entity !== undefined ? ENTITIES[entity] : xmlChar(reference, hex !== undefined ? parseInt(hex, 16) : Number(dec), allowed),
  );
}

/** A document the emulators cannot read as XML: each server answers it as its service answers malformed XML. */
export class MalformedXml extends Error {}

/**
 * The character a numeric reference names, if XML allows it: "Characters referred to using character references must
 * match the production for Char" (XML 1.0 §4.1, WFC: Legal Character; Char is #x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF], §2.2). Beyond U+10FFFF String.fromCodePoint threw a RangeError, a 500.
 */
function xmlChar(reference: string, code: number, allowed: (code: number) => boolean): string {
  if (!(code <= 0x10ffff && allowed(code))) throw new MalformedXml(`${reference} names no character XML allows`);
  return String.fromCodePoint(code);
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
