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
 * The one escape of local/: the S3 and SNS servers and the CloudFront stub answer with it.
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\r/g, "&#13;");
}

/** `&amp;` last, so an escaped entity (`&amp;lt;`) reads as its text (`&lt;`), not as `<`. */
export function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
