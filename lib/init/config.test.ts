import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolvePath, type Env } from './config';

/** The ConfigError loadConfig throws for `env` (fails the test when none is thrown). */
function errorFor(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults', () => {
  it('gives the seed setup with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      baseUrl: 'http://localhost:5001',
      target: 'dify-workflow',
      apiKey: '',
      endpoint: '/v1/workflows/run',
      url: 'http://localhost:5001/v1/workflows/run',
      model: 'mock-gpt',
      userPrefix: 'sse-bench',
      method: 'POST',
      body: '',
      maxEvents: 0,
      streamTimeout: '60s',
      streamTimeoutMs: 60_000,
      terminalEvents: ['workflow_finished', 'error'],
      profile: 'default',
      scenarios: ['stream', 'burst'],
      questionsFile: '',
      thresholds: 'default',
      reportsDir: 'reports',
      load: { vus: null, iterations: null, durationMs: null, rate: null },
      slo: { ttfeMs: null, ttftMs: null, tpotMs: null },
      interEventSamples: false,
      dataBytes: false,
      jsonCheck: 'full',
      workload: { dataset: '', datasetOrder: 'sequential', seed: '', turns: 1, thinkTimeMs: null },
      cancel: null,
      breakdown: false,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ TARGET: '', PROFILE: '  ', STREAM_TIMEOUT: '' })).toEqual(loadConfig({}));
  });

  it.each([
    ['dify-workflow', '/v1/workflows/run', ['workflow_finished', 'error']],
    ['dify-chat', '/v1/chat-messages', ['message_end', 'error']],
    ['openai-chat', '/v1/chat/completions', ['[DONE]']],
    ['generic', '', []],
  ])('TARGET=%s: endpoint %j, terminal events %j', (target, endpoint, terminal) => {
    const config = loadConfig({ TARGET: target });
    expect(config.endpoint).toBe(endpoint);
    expect(config.url).toBe(`http://localhost:5001${endpoint}`);
    expect(config.terminalEvents).toEqual(terminal);
  });
});

describe('loadConfig values', () => {
  it('keeps a BASE_URL path prefix and drops trailing slashes', () => {
    const config = loadConfig({ BASE_URL: 'https://example.com/dify/', TARGET: 'dify-chat' });
    expect(config.baseUrl).toBe('https://example.com/dify');
    expect(config.url).toBe('https://example.com/dify/v1/chat-messages');
  });

  it('does not repeat /v1 when BASE_URL ends with it (as Dify and OpenAI docs write it)', () => {
    expect(loadConfig({ BASE_URL: 'https://api.dify.ai/v1' }).url).toBe('https://api.dify.ai/v1/workflows/run');
    expect(loadConfig({ BASE_URL: 'http://h:8000/v1/', TARGET: 'openai-chat' }).url).toBe('http://h:8000/v1/chat/completions');
  });

  it('uses ENDPOINT as given, adding a leading slash', () => {
    expect(loadConfig({ BASE_URL: 'http://h/v1', ENDPOINT: '/v1/x' }).url).toBe('http://h/v1/v1/x');
    expect(loadConfig({ TARGET: 'generic', ENDPOINT: 'events?topic=a' }).url).toBe('http://localhost:5001/events?topic=a');
  });

  it('reads API_KEY, else DIFY_API_KEY', () => {
    expect(loadConfig({ DIFY_API_KEY: 'd' }).apiKey).toBe('d');
    expect(loadConfig({ API_KEY: 'a', DIFY_API_KEY: 'd' }).apiKey).toBe('a');
  });

  it('reads the generic target settings', () => {
    const config = loadConfig({ TARGET: 'generic', METHOD: 'post', BODY: '{"a":1}', MAX_EVENTS: '25' });
    expect([config.method, config.body, config.maxEvents]).toEqual(['POST', '{"a":1}', 25]);
    expect(loadConfig({ TARGET: 'generic' }).method).toBe('GET');
  });

  it('reads MODEL for openai-chat', () => {
    expect(loadConfig({ TARGET: 'openai-chat', MODEL: 'llama3' }).model).toBe('llama3');
  });

  it('parses STREAM_TIMEOUT keeping the Go string for sse.open', () => {
    const config = loadConfig({ STREAM_TIMEOUT: '1m30s' });
    expect([config.streamTimeout, config.streamTimeoutMs]).toEqual(['1m30s', 90_000]);
  });

  it('parses TERMINAL_EVENTS as a comma list', () => {
    expect(loadConfig({ TARGET: 'dify-chat', TERMINAL_EVENTS: ' workflow_finished , error,' }).terminalEvents).toEqual([
      'workflow_finished',
      'error',
    ]);
  });

  it('orders and de-duplicates SCENARIOS', () => {
    expect(loadConfig({ SCENARIOS: 'burst, stream,burst' }).scenarios).toEqual(['stream', 'burst']);
    expect(loadConfig({ SCENARIOS: 'burst' }).scenarios).toEqual(['burst']);
  });

  it('reads the load overrides', () => {
    expect(loadConfig({ PROFILE: 'open', VUS: '7', RATE: '20', DURATION: '2m' }).load).toEqual({
      vus: 7,
      iterations: null,
      durationMs: 120_000,
      rate: 20,
    });
    expect(loadConfig({ ITERATIONS: '300' }).load?.iterations).toBe(300);
  });

  it('resolves relative paths against PWD and keeps absolute ones', () => {
    const config = loadConfig({ PWD: '/home/u/bench', QUESTIONS_FILE: './data/q.txt', THRESHOLDS: '../t/ci.json' });
    expect(config.questionsFile).toBe('/home/u/bench/data/q.txt');
    expect(config.thresholds).toBe('/home/u/t/ci.json');
    expect(loadConfig({ QUESTIONS_FILE: '/srv/q.txt', THRESHOLDS: 'C:\\t\\x.json' })).toMatchObject({
      questionsFile: '/srv/q.txt',
      thresholds: 'C:\\t\\x.json',
    });
    expect(loadConfig({ PWD: '/w', THRESHOLDS: 'mine.json' }).thresholds).toBe('/w/mine.json');
  });

  it('keeps a bundled THRESHOLDS name as a name', () => {
    expect(loadConfig({ THRESHOLDS: 'strict', PWD: '/w' }).thresholds).toBe('strict');
  });

  it('drops a trailing slash from REPORTS_DIR', () => {
    expect(loadConfig({ REPORTS_DIR: 'out/ci/' }).reportsDir).toBe('out/ci');
    expect(loadConfig({ REPORTS_DIR: '/' }).reportsDir).toBe('/');
  });
});

describe('loadConfig errors (exact messages)', () => {
  it.each<[Env, string, string]>([
    [{ PROFILE: 'fast' }, 'PROFILE', 'PROFILE: unknown profile "fast"; accepted: smoke, default, light, normal, heavy, stress, open'],
    [{ TARGET: 'dify' }, 'TARGET', 'TARGET: unknown target "dify"; accepted: dify-workflow, dify-chat, openai-chat, generic'],
    [
      { SCENARIOS: 'stream,ttfe' },
      'SCENARIOS',
      'SCENARIOS: unknown scenario "ttfe"; accepted: a comma-separated list of stream, burst',
    ],
    [{ SCENARIOS: ' , ' }, 'SCENARIOS', 'SCENARIOS: names no scenario; accepted: a comma-separated list of stream, burst'],
    [{ VUS: 'ten' }, 'VUS', 'VUS: "ten" is not a positive integer; expected e.g. VUS=10'],
    [{ VUS: '0' }, 'VUS', 'VUS: "0" is not a positive integer; expected e.g. VUS=10'],
    [{ ITERATIONS: '-5' }, 'ITERATIONS', 'ITERATIONS: "-5" is not a positive integer; expected e.g. ITERATIONS=10'],
    [{ RATE: '2.5', PROFILE: 'open' }, 'RATE', 'RATE: "2.5" is not a positive integer; expected e.g. RATE=10'],
    [{ RATE: 'fast', PROFILE: 'open' }, 'RATE', 'RATE: "fast" is not a positive integer; expected e.g. RATE=10'],
    [
      { TARGET: 'generic', MAX_EVENTS: '1e3' },
      'MAX_EVENTS',
      'MAX_EVENTS: "1e3" is not a positive integer; expected e.g. MAX_EVENTS=10',
    ],
    [
      { DURATION: '60' },
      'DURATION',
      'DURATION: "60" is not a positive Go duration; expected e.g. 30s, 1500ms, 1m30s (units: ns, us, ms, s, m, h)',
    ],
    [
      { STREAM_TIMEOUT: '1 minute' },
      'STREAM_TIMEOUT',
      'STREAM_TIMEOUT: "1 minute" is not a positive Go duration; expected e.g. 30s, 1500ms, 1m30s (units: ns, us, ms, s, m, h)',
    ],
    [
      { STREAM_TIMEOUT: '0s' },
      'STREAM_TIMEOUT',
      'STREAM_TIMEOUT: "0s" is not a positive Go duration; expected e.g. 30s, 1500ms, 1m30s (units: ns, us, ms, s, m, h)',
    ],
    [
      { BASE_URL: 'localhost:5001' },
      'BASE_URL',
      'BASE_URL: "localhost:5001" is not an http(s) URL without credentials, query or fragment; expected e.g. http://localhost:5001 or https://api.example.com/prefix',
    ],
    [
      { BASE_URL: 'http://h/x?api_key=s3cret' },
      'BASE_URL',
      'BASE_URL: "http://h/x?***" is not an http(s) URL without credentials, query or fragment; expected e.g. http://localhost:5001 or https://api.example.com/prefix',
    ],
    [
      { BASE_URL: 'ftp://h' },
      'BASE_URL',
      'BASE_URL: "ftp://h" is not an http(s) URL without credentials, query or fragment; expected e.g. http://localhost:5001 or https://api.example.com/prefix',
    ],
    [
      { BASE_URL: 'https://me:s3cret@h/x' },
      'BASE_URL',
      'BASE_URL: "https://***@h/x" is not an http(s) URL without credentials, query or fragment; expected e.g. http://localhost:5001 or https://api.example.com/prefix',
    ],
    [
      { ENDPOINT: 'http://other/v1/x' },
      'ENDPOINT',
      'ENDPOINT: "http://other/v1/x" is a URL; ENDPOINT is the path after BASE_URL (e.g. /v1/chat-messages): put the server in BASE_URL',
    ],
    [
      { ENDPOINT: 'https://other/v1/x?key=s3cret' },
      'ENDPOINT',
      'ENDPOINT: "https://other/v1/x?***" is a URL; ENDPOINT is the path after BASE_URL (e.g. /v1/chat-messages): put the server in BASE_URL',
    ],
    [{ TARGET: 'generic', METHOD: 'FETCH' }, 'METHOD', 'METHOD: unknown method "FETCH"; accepted: GET, POST, PUT, PATCH, DELETE'],
    [
      { METHOD: 'GET' },
      'METHOD',
      'METHOD: only used with TARGET=generic, but TARGET is dify-workflow; unset METHOD or set TARGET=generic',
    ],
    [{ TARGET: 'dify-chat', BODY: '{}' }, 'BODY', 'BODY: only used with TARGET=generic, but TARGET is dify-chat; unset BODY or set TARGET=generic'],
    [
      { TARGET: 'openai-chat', MAX_EVENTS: '3' },
      'MAX_EVENTS',
      'MAX_EVENTS: only used with TARGET=generic, but TARGET is openai-chat; unset MAX_EVENTS or set TARGET=generic',
    ],
    [
      { MODEL: 'gpt-4o' },
      'MODEL',
      'MODEL: only used with TARGET=openai-chat, but TARGET is dify-workflow; unset MODEL or set TARGET=openai-chat',
    ],
    [
      { TERMINAL_EVENTS: ',' },
      'TERMINAL_EVENTS',
      "TERMINAL_EVENTS: names no event; expected a comma-separated list such as workflow_finished,error (unset it for the target's default)",
    ],
    [
      { THRESHOLDS: 'relaxed' },
      'THRESHOLDS',
      'THRESHOLDS: unknown threshold set "relaxed"; accepted: default, strict, none, or a path to a JSON file (containing / or ending in .json)',
    ],
    [
      { QUESTIONS_FILE: 'q.txt' },
      'QUESTIONS_FILE',
      'QUESTIONS_FILE: relative path "q.txt" needs PWD to resolve against (k6 would resolve it against the script in build/, not the directory you run k6 in), and PWD is not set; give an absolute path, or pass -e PWD="$PWD"',
    ],
    [
      { THRESHOLDS: 'ci/t.json', PWD: 'relative' },
      'THRESHOLDS',
      'THRESHOLDS: relative path "ci/t.json" needs PWD to resolve against (k6 would resolve it against the script in build/, not the directory you run k6 in), and PWD is "relative", not an absolute path; give an absolute path, or pass -e PWD="$PWD"',
    ],
  ])('%j → %s', (env, variable, message) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
    expect(error.name).toBe('ConfigError');
  });
});

describe('resolvePath', () => {
  it.each([
    ['/a/b', 'c.txt', '/a/b/c.txt'],
    ['/a/b/', './c.txt', '/a/b/c.txt'],
    ['/a/b', '../c.txt', '/a/c.txt'],
    ['/a', '../../c.txt', '/c.txt'],
    ['/', 'c.txt', '/c.txt'],
    ['C:\\work\\bench', '..\\q.txt', 'C:\\work\\q.txt'],
  ])('%s + %s → %s', (dir, rel, abs) => {
    expect(resolvePath(dir, rel)).toBe(abs);
  });
});

describe('DATASET, DATASET_ORDER, SEED, TURNS, THINK_TIME', () => {
  it('reads them into workload (relative DATASET against PWD)', () => {
    const c = loadConfig({ TARGET: 'openai-chat', DATASET: 'datasets/x.jsonl', PWD: '/w', DATASET_ORDER: 'Shuffled', SEED: 'abc', TURNS: '4', THINK_TIME: '1s-2500ms' });
    expect(c.workload).toEqual({ dataset: '/w/datasets/x.jsonl', datasetOrder: 'shuffled', seed: 'abc', turns: 4, thinkTimeMs: [1000, 2500] });
    expect(loadConfig({ TARGET: 'dify-chat', TURNS: '2', THINK_TIME: '2s' }).workload?.thinkTimeMs).toEqual([2000, 2000]);
  });

  it.each([
    [{ TURNS: '3' }, 'TURNS', 'TURNS: 3 turns need a target that keeps a conversation (dify-chat, openai-chat), but TARGET is dify-workflow: a workflow run has no conversation (use a chat or chatflow app with TARGET=dify-chat); unset TURNS or change TARGET'],
    [{ TARGET: 'generic', TURNS: '2' }, 'TURNS', 'TURNS: 2 turns need a target that keeps a conversation (dify-chat, openai-chat), but TARGET is generic; unset TURNS or change TARGET'],
    [{ TARGET: 'dify-chat', TURNS: '0' }, 'TURNS', 'TURNS: "0" is not a positive integer; expected e.g. TURNS=10'],
    [{ TARGET: 'dify-chat', THINK_TIME: '1s' }, 'THINK_TIME', 'THINK_TIME: is the pause between two turns, and TURNS is 1; set TURNS (e.g. TURNS=4) or unset THINK_TIME'],
    [{ TARGET: 'dify-chat', TURNS: '2', THINK_TIME: '3s-1s' }, 'THINK_TIME', 'THINK_TIME: "3s-1s": the range ends before it starts; expected low-high, e.g. 1s-3s'],
    [{ TARGET: 'dify-chat', TURNS: '2', THINK_TIME: 'soon' }, 'THINK_TIME', 'THINK_TIME: "soon" is not a Go duration or a range of two; expected e.g. THINK_TIME=2s or THINK_TIME=1s-3s'],
    [{ TARGET: 'dify-chat', TURNS: '2', THINK_TIME: '1s--2s' }, 'THINK_TIME', 'THINK_TIME: "1s--2s" is not a Go duration or a range of two; expected e.g. THINK_TIME=2s or THINK_TIME=1s-3s'],
    [{ DATASET: '/d.jsonl', QUESTIONS_FILE: '/q.txt' }, 'DATASET', 'DATASET: and QUESTIONS_FILE are both set; a run takes its prompts from one of them: unset one'],
    [{ DATASET: '/d.jsonl', TARGET: 'generic' }, 'DATASET', 'DATASET: TARGET=generic sends BODY as it is and has no prompt to fill; use DATASET with TARGET=dify-workflow, dify-chat or openai-chat'],
    [{ DATASET: 'd.jsonl' }, 'DATASET', 'DATASET: relative path "d.jsonl" needs PWD to resolve against (k6 would resolve it against the script in build/, not the directory you run k6 in), and PWD is not set; give an absolute path, or pass -e PWD="$PWD"'],
    [{ DATASET_ORDER: 'shuffled' }, 'DATASET_ORDER', 'DATASET_ORDER: only used with DATASET; set DATASET or unset DATASET_ORDER'],
    [{ DATASET: '/d.jsonl', DATASET_ORDER: 'random' }, 'DATASET_ORDER', 'DATASET_ORDER: unknown order "random"; accepted: sequential, shuffled'],
    [{ DATASET: '/d.jsonl', SEED: '7' }, 'SEED', 'SEED: only used with DATASET_ORDER=shuffled (it seeds the shuffle); set DATASET_ORDER=shuffled or unset SEED'],
  ])('%j → %s', (env, variable, message) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });
});

describe('CANCEL_RATE / CANCEL_AFTER', () => {
  it('is off when unset or 0', () => {
    expect(loadConfig({}).cancel).toBeNull();
    expect(loadConfig({ CANCEL_RATE: '0' }).cancel).toBeNull();
  });

  it('stops after 5 tokens by default; Dify stop URLs sit beside the stream endpoint', () => {
    expect(loadConfig({ CANCEL_RATE: '0.3' }).cancel).toEqual({ rate: 0.3, afterTokens: 5, afterMs: null, stopPrefix: 'http://localhost:5001/v1/workflows/tasks/', stopSuffix: '/stop' });
    expect(loadConfig({ CANCEL_RATE: '1', TARGET: 'dify-chat', BASE_URL: 'https://d.example/v1' }).cancel).toEqual({
      rate: 1,
      afterTokens: 5,
      afterMs: null,
      stopPrefix: 'https://d.example/v1/chat-messages/',
      stopSuffix: '/stop',
    });
    expect(loadConfig({ CANCEL_RATE: '.5', TARGET: 'openai-chat', CANCEL_AFTER: '12' }).cancel).toEqual({ rate: 0.5, afterTokens: 12, afterMs: null, stopPrefix: '', stopSuffix: '' });
  });

  it('takes a time or a time range', () => {
    expect(loadConfig({ CANCEL_RATE: '0.3', CANCEL_AFTER: '800ms' }).cancel?.afterMs).toEqual([800, 800]);
    expect(loadConfig({ CANCEL_RATE: '0.3', CANCEL_AFTER: '500ms-2s' }).cancel).toMatchObject({ afterTokens: null, afterMs: [500, 2000] });
  });

  it('rejects bad values with messages naming the variable', () => {
    expect(() => loadConfig({ CANCEL_RATE: '30%' })).toThrow('CANCEL_RATE: "30%" is not a number from 0 to 1; expected e.g. CANCEL_RATE=0.3');
    expect(() => loadConfig({ CANCEL_RATE: '1.5' })).toThrow('CANCEL_RATE: "1.5" is not a number from 0 to 1');
    expect(() => loadConfig({ CANCEL_AFTER: '5' })).toThrow('CANCEL_AFTER: only used with CANCEL_RATE; set CANCEL_RATE (e.g. 0.3) or unset CANCEL_AFTER');
    expect(() => loadConfig({ CANCEL_RATE: '0.3', CANCEL_AFTER: 'soon' })).toThrow(
      'CANCEL_AFTER: "soon" is neither a number of tokens nor a time; expected e.g. CANCEL_AFTER=5 (tokens), 800ms, or a range 500ms-2s (Go durations)',
    );
    expect(() => loadConfig({ CANCEL_RATE: '0.3', CANCEL_AFTER: '0' })).toThrow('CANCEL_AFTER: "0" tokens: expected a positive integer, e.g. CANCEL_AFTER=5');
    expect(() => loadConfig({ CANCEL_RATE: '0.3', CANCEL_AFTER: '2s-1s' })).toThrow('CANCEL_AFTER: "2s-1s": the range ends before it starts; expected e.g. 500ms-2s');
    expect(() => loadConfig({ CANCEL_RATE: '0.3', SCENARIOS: 'burst' })).toThrow('CANCEL_RATE: stops streams of the stream scenario only');
    expect(() => loadConfig({ CANCEL_RATE: '0.3', ENDPOINT: '/api/run' })).toThrow(
      'CANCEL_RATE: the stop request of TARGET=dify-workflow is sent beside its stream endpoint, which must end in /workflows/run; ENDPOINT gives http://localhost:5001/api/run',
    );
  });
});

describe('BREAKDOWN', () => {
  it('is off by default, on for Dify and OpenAI targets', () => {
    expect(loadConfig({}).breakdown).toBe(false);
    expect(loadConfig({ BREAKDOWN: 'TRUE' }).breakdown).toBe(true);
    expect(loadConfig({ BREAKDOWN: 'true', TARGET: 'openai-chat' }).breakdown).toBe(true);
  });

  it('rejects generic, a stream-less SCENARIOS and bad values', () => {
    expect(() => loadConfig({ BREAKDOWN: 'true', TARGET: 'generic', BASE_URL: 'http://h/sse' })).toThrow('BREAKDOWN: needs a question that reaches the model');
    expect(() => loadConfig({ BREAKDOWN: 'true', SCENARIOS: 'burst' })).toThrow('BREAKDOWN: breaks down streams of the stream scenario only');
    expect(() => loadConfig({ BREAKDOWN: 'yes' })).toThrow('BREAKDOWN: unknown value "yes"; accepted: true, false');
  });
});
