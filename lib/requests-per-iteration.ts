/** Streams one iteration opens, one after another: `burst` sends the seed's three requests back to back. */
export const REQUESTS_PER_ITERATION = { stream: 1, burst: 3 } as const;
