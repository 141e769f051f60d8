"use strict";
/**
 * mulberry32: a small, fast, seeded generator of numbers in [0, 1); the same seed gives the same sequence, so a run can
 * be replayed. CommonJS (types in seeded-random.d.cts) because vitest.config.mts imports it too: Vite loads a config's
 * imports by the package's module type, and a `.ts` file with `export` in this CommonJS package is "ESM syntax in a
 * file loaded as CommonJS", a warning on every run that a later Vite may turn into an error.
 * @param {number} seed
 * @returns {() => number}
 */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { mulberry32 };
