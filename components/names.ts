/**
 * Names of AWS things: fitting a name into a service's limits, and the form of a region name.
 *
 * Fitting a name into a service's limits without renaming what already fits. A name that changes replaces the
 * resource (or restarts its metrics), so a name the service takes as it is stays as it is; only one it would refuse
 * is rewritten, the same way on every run.
 */
import { createHash } from "node:crypto";

/** Hex digits of the hash a fitted name ends in: enough to keep names apart that cut or sanitise to the same text. */
export const FITTED_NAME_HASH_LENGTH = 8;

export interface FitNameOptions {
  /**
   * The characters the service takes, as the inside of a regex character class (e.g. `"A-Za-z0-9_-"`). Others become
   * `-` when the name is fitted. @default any character
   */
  characters?: string;
  /** Names the service keeps for itself, fitted like a name too long. @default [] */
  reserved?: readonly string[];
}

/**
 * `text` unchanged when it is at most `maxLength` long, of `characters` only and not `reserved`; otherwise the
 * characters outside `characters` become `-` and the text is cut to end in `-` and 8 hex digits of a sha256 of the
 * whole original text, so it is at most `maxLength` long, comes out the same on every run, and two texts that cut or
 * sanitise alike still differ.
 */
export function fitName(text: string, maxLength: number, options: FitNameOptions = {}): string {
  const { characters, reserved = [] } = options;
  const usable = characters === undefined || new RegExp(`^[${characters}]+$`).test(text);
  if (usable && text.length <= maxLength && !reserved.includes(text)) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, FITTED_NAME_HASH_LENGTH);
  const sanitised = characters === undefined ? text : text.replace(new RegExp(`[^${characters}]`, "g"), "-");
  return `${sanitised.slice(0, maxLength - hash.length - 1)}-${hash}`;
}

/**
 * An AWS region name: a 2–4 letter prefix, one or more words, a number (us-west-2, ap-southeast-2, us-gov-west-1,
 * us-isob-east-1, eusc-de-east-1 of the European Sovereign Cloud). The check is on the form: AWS adds regions, and a
 * list would refuse the next one.
 */
export const AWS_REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
