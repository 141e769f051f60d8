/** mulberry32: a small, fast, seeded generator of numbers in [0, 1); the same seed gives the same sequence (seeded-random.cjs). */
export declare function mulberry32(seed: number): () => number;
