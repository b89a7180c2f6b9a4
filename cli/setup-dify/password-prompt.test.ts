import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { promptHidden } from './password-prompt.ts';

describe('promptHidden', () => {
  it('shows only the question, not what is typed', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const answer = promptHidden('Password: ', input, output);
    input.write('typed-Secret1\n');
    expect(await answer).toBe('typed-Secret1');
    expect(shown).toBe('Password: \n');
  });

  it('rejects when the input closes without an answer', async () => {
    const input = new PassThrough();
    const answer = promptHidden('Password: ', input, new PassThrough());
    input.end();
    await expect(answer).rejects.toThrow('no password given (input closed)');
  });
});
