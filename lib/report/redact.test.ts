import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl, reportSettings, scrubText, scrubValue } from './redact.ts';
import { FIXTURE_API_KEY, testConfig } from './summary-data.fixture.ts';

describe('redactUrl', () => {
  it('strips user info', () => {
    expect(redactUrl('https://bob:s3cret@api.example.com/v1/chat-messages')).toBe('https://api.example.com/v1/chat-messages');
  });
  it('redacts secret-looking query values and keeps the others', () => {
    expect(redactUrl('http://127.0.0.1:5001/sse?stream=true&api_key=app-abc&X-Amz-Signature=f00&access_token=t#frag')).toBe(
      `http://127.0.0.1:5001/sse?stream=true&api_key=${REDACTED}&X-Amz-Signature=${REDACTED}&access_token=${REDACTED}`,
    );
  });
  it('leaves plain URLs and non-URLs alone', () => {
    expect(redactUrl('http://localhost:5001/v1/workflows/run')).toBe('http://localhost:5001/v1/workflows/run');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('reportSettings', () => {
  it('says whether a key is set, never the key', () => {
    const settings = reportSettings(testConfig());
    expect(settings.apiKey).toBe('set');
    expect(JSON.stringify(settings)).not.toContain(FIXTURE_API_KEY);
    expect(reportSettings(testConfig({ apiKey: '' })).apiKey).toBe('unset');
  });
  it('redacts credentials in BASE_URL', () => {
    const settings = reportSettings(testConfig({ baseUrl: 'https://u:pw@dify.example.com/api', url: 'https://u:pw@dify.example.com/api/v1/workflows/run?token=abc' }));
    expect(settings.baseUrl).toBe('https://dify.example.com/api');
    expect(settings.url).toBe(`https://dify.example.com/api/v1/workflows/run?token=${REDACTED}`);
  });
  it('shows POST for the Dify and OpenAI targets and METHOD for generic', () => {
    expect(reportSettings(testConfig({ method: 'GET' })).method).toBe('POST');
    expect(reportSettings(testConfig({ target: 'generic', method: 'GET' })).method).toBe('GET');
  });
});

describe('scrubbing', () => {
  it('replaces the key in strings and object keys, deep, leaving numbers', () => {
    const value = { [`tag{k:${FIXTURE_API_KEY}}`]: { url: `http://x/?k=${FIXTURE_API_KEY}`, list: [FIXTURE_API_KEY, 3] }, n: 42 };
    expect(scrubValue(value, FIXTURE_API_KEY)).toEqual({ [`tag{k:${REDACTED}}`]: { url: `http://x/?k=${REDACTED}`, list: [REDACTED, 3] }, n: 42 });
  });
  it('replaces the key and its JSON-escaped spelling in text', () => {
    expect(scrubText(`a ${FIXTURE_API_KEY} b ${FIXTURE_API_KEY}`, FIXTURE_API_KEY)).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(scrubText(JSON.stringify({ k: 'ke"y/1\\2' }), 'ke"y/1\\2')).toBe(`{"k":"${REDACTED}"}`);
  });
  it('leaves text alone for an empty or very short key', () => {
    expect(scrubText('1234', '')).toBe('1234');
    expect(scrubText('1234', '12')).toBe('1234');
    expect(scrubValue({ a: 'x' }, '')).toEqual({ a: 'x' });
  });
});
