/** How often, and how many times, an open album is re-read while photos are being processed (no live connection). */
export const PROCESSING_POLL_MS = 1500;
export const PROCESSING_POLL_LIMIT = 80;
