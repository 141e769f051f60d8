/**
 * The XML text helpers of the local emulators that answer or read AWS's XML protocols (S3's REST-XML, SNS's query
 * answers, the CloudFront stub's): the five predefined entities and numeric character references, a request
 * document's well-formedness (xmlDocument), and a tag's values read without a parser (the documents read here are
 * flat; no XML parser is among the package's dependencies: xml2js and sax are in node_modules only as aws-sdk v2's,
 * through cognito-local).
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

/**
 * `xml`, a document sent to an emulator (S3's DeleteObjects and CompleteMultipartUpload bodies), once it is known to be
 * well-formed XML 1.0 whose root element is `root` (its local name: a prefix and namespaces are not read), else
 * MalformedXml: S3 answers a body "not well-formed or [that] did not validate against our published schema" 400
 * MalformedXML (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); xmlValues' patterns read
 * `<Delete><Object><Key>k</Key></Object>` (unclosed) and `<Other>…</Other>` as well-formed documents of the operation.
 * Checked (XML 1.0 §2.1, §2.8, §3.1, §4.1): an optional XML declaration first, then comments, processing instructions
 * and white space around one root element; start tags whose attributes are quoted, unique and hold no `<`; end tags
 * closing the element open; character data without `]]>`; `&` only in the five predefined entities or a numeric
 * reference to a Char; CDATA sections; every character a Char. A document type declaration is refused: the
 * emulators read no DTD, whose entities would have to be expanded (S3's answer to one is not confirmed).
 */
export function xmlDocument(xml: string, root: string): string {
  const raw = NOT_XML_CHAR.exec(xml);
  if (raw) refuse(`U+${raw[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} is no character XML allows`);
  const open: string[] = [];
  let rooted = false;
  let at = xml.startsWith("\uFEFF") ? 1 : 0;
  const declaration = matchAt(XML_DECLARATION, xml, at);
  if (declaration) at += declaration[0].length;
  while (at < xml.length) {
    const rest = (prefix: string) => xml.startsWith(prefix, at);
    const through = (end: string, from: number, what: string): number => {
      const found = xml.indexOf(end, from);
      return found < 0 ? refuse(`${what} is not closed`) : found + end.length;
    };
    if (rest("<!--")) {
      const end = through("-->", at + 4, "a comment");
      const comment = xml.slice(at + 4, end - 3);
      if (comment.includes("--") || comment.endsWith("-")) refuse("a comment holds --");
      at = end;
    } else if (rest("<![CDATA[")) {
      if (open.length === 0) refuse("a CDATA section is outside the root element");
      at = through("]]>", at + 9, "a CDATA section");
    } else if (rest("<!")) {
      refuse("a document type or other declaration is not read");
    } else if (rest("<?")) {
      const target = matchAt(PI_TARGET, xml, at);
      if (!target || target[1].toLowerCase() === "xml") refuse("a processing instruction has no target, or is an XML declaration not at the start");
      at = through("?>", at + 2, "a processing instruction");
    } else if (rest("</")) {
      const end = matchAt(END_TAG, xml, at) ?? refuse("an end tag is malformed");
      if (end[1] !== open.pop()) refuse(`</${end[1]}> closes no open element of that name`);
      at += end[0].length;
    } else if (rest("<")) {
      const start = matchAt(START_TAG, xml, at) ?? refuse("a start tag is malformed");
      const [tag, name, attributes, empty] = start;
      if (open.length === 0) {
        if (rooted) refuse("the document has more than one root element");
        if (name.slice(name.indexOf(":") + 1) !== root) refuse(`the root element is ${name}, not ${root}`);
        rooted = true;
      }
      const names = new Set<string>();
      for (const [, attribute, value] of attributes.matchAll(ATTRIBUTE)) {
        if (names.has(attribute)) refuse(`attribute ${attribute} is given twice`);
        names.add(attribute);
        checkReferences(value.slice(1, -1));
      }
      if (empty === "") open.push(name);
      at += tag.length;
    } else {
      const nextTag = xml.indexOf("<", at);
      const end = nextTag < 0 ? xml.length : nextTag;
      const text = xml.slice(at, end);
      if (open.length === 0 && !/^[ \t\r\n]*$/.test(text)) refuse("text is outside the root element");
      if (text.includes("]]>")) refuse("character data holds ]]>");
      checkReferences(text);
      at = end;
    }
  }
  if (!rooted) refuse("the document has no root element");
  if (open.length > 0) refuse(`<${open.at(-1)}> is not closed`);
  return xml;
}

/** XML 1.0's Name, its characters up to U+FFFF (§2.3; a key's text is not a name, so the approximation costs nothing here). */
const NAME = "[:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD][-.0-9:A-Z_a-z\\u00B7\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u203F\\u2040\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD]*";
const ATTRIBUTE_SOURCE = `[ \\t\\r\\n]+(${NAME})[ \\t\\r\\n]*=[ \\t\\r\\n]*("[^<"]*"|'[^<']*')`;
const ATTRIBUTE = new RegExp(ATTRIBUTE_SOURCE, "g");
const START_TAG = new RegExp(`<(${NAME})((?:${ATTRIBUTE_SOURCE.replace(/\((?!\?)/g, "(?:")})*)[ \\t\\r\\n]*(/?)>`, "y");
const END_TAG = new RegExp(`</(${NAME})[ \\t\\r\\n]*>`, "y");
const PI_TARGET = new RegExp(`<\\?(${NAME})(?:[ \\t\\r\\n]|\\?>)`, "y");
/** XML 1.0 §2.8's XMLDecl: version, then optionally encoding and standalone, in that order. */
const XML_DECLARATION = /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][-A-Za-z0-9._]*"|'[A-Za-z][-A-Za-z0-9._]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y;

/** xmlDocument's refusal of a document, saying why. */
function refuse(why: string): never {
  throw new MalformedXml(why);
}

/** `pattern` (sticky) matched at `at` of `text`, or null. */
function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** Text whose every `&` begins a predefined entity or a numeric reference to a Char (§4.1, §4.6), else MalformedXml. */
function checkReferences(text: string): void {
  if (/&(?!(?:#x[0-9a-fA-F]+|#[0-9]+|lt|gt|quot|apos|amp);)/.test(text)) refuse("an & begins no reference XML defines");
  unescaped(text, isXmlChar);
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
