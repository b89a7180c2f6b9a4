/** The fake console's own rules that mirror Dify's Python (the flows are in cli/setup-dify/setup-dify.test.ts). */
import { describe, expect, it } from 'vitest';
import { importStatus, pyB64decode } from './console.ts';

describe('pyB64decode (Dify’s FieldEncryption.decrypt_field)', () => {
  it('decodes Base64, skipping characters outside the alphabet as Python does', () => {
    expect(pyB64decode(Buffer.from('pässword1').toString('base64'))).toBe('pässword1');
    expect(pyB64decode('cGFz\nc3dvcmQx')).toBe('password1');
  });

  it('gives null for bad padding or bytes that are not UTF-8', () => {
    expect(pyB64decode('password123')).toBeNull(); // 11 characters
    expect(pyB64decode('//79')).toBeNull(); // 0xff 0xfe 0xfd
  });
});

describe('importStatus (services/dsl_version.py check_version_compatibility)', () => {
  it.each([
    ['0.6.0', '0.6.0', 'completed'],
    ['0.6.1', '0.6.0', 'pending'],
    ['0.7.0', '0.6.0', 'pending'],
    ['0.5.0', '0.6.0', 'completed-with-warnings'],
    ['0.4.0', '0.6.0', 'completed-with-warnings'],
    ['0.6.0', '1.0.0', 'pending'],
    ['x', '0.6.0', 'failed'],
  ])('%s imported into %s is %s', (imported, current, status) => {
    expect(importStatus(imported, current)).toBe(status);
  });
});
