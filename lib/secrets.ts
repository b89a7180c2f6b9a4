/** What stands where a secret (API key, token) was: one definition for the failure log (per VU) and the reports' scrubber. */
export const enum Secret {
  Redacted = '[REDACTED]',
}
/** Secret.Redacted by name, for code outside the bundle. */
export const REDACTED: string = Secret.Redacted;
