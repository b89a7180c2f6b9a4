/** What stands where a secret (API key, token) was: one definition for the failure log (per VU) and the reports' scrubber. */
export const REDACTED = '[REDACTED]';
