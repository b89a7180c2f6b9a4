/**
 * The run's configuration, parsed once in the init context from k6's `__ENV`.
 * (Loader implemented in this file by the config work; the types below are the contract
 * every other module codes against.)
 */

export const TARGET_NAMES = ['dify-workflow', 'dify-chat', 'openai-chat', 'generic'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const SCENARIO_NAMES = ['stream', 'burst'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const PROFILE_NAMES = ['smoke', 'default', 'light', 'normal', 'heavy', 'stress', 'open'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Config {
  /** BASE_URL without a trailing slash; any path prefix kept. */
  readonly baseUrl: string;
  readonly target: TargetName;
  /** API_KEY or DIFY_API_KEY; '' when none. Never logged or written to a report. */
  readonly apiKey: string;
  /** Path appended to baseUrl: ENDPOINT, else the target's default. */
  readonly endpoint: string;
  /** baseUrl + endpoint. */
  readonly url: string;
  /** openai-chat model name. */
  readonly model: string;
  readonly userPrefix: string;
  /** generic target: HTTP method and body. */
  readonly method: string;
  readonly body: string;
  /** generic target: stop after this many events (0 = until the server closes). */
  readonly maxEvents: number;
  /** STREAM_TIMEOUT as a Go duration string for sse.open's `timeout`, and in ms. */
  readonly streamTimeout: string;
  readonly streamTimeoutMs: number;
  /** Event types that end a stream (TERMINAL_EVENTS, else the target's default). */
  readonly terminalEvents: readonly string[];
  readonly profile: ProfileName;
  readonly scenarios: readonly ScenarioName[];
  /** THRESHOLDS as given (a name in thresholds/ or a path). */
  readonly thresholds: string;
  readonly reportsDir: string;
}

/** A bad setting: the message names the variable and the accepted values. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
