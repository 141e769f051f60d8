/** A thrown value as text: its string `message`, else the value as util.inspect renders it on one line (thrown-text.cjs). */
export declare function thrownText(value: unknown): string;
