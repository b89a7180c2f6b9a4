/**
 * Asks for a password on the terminal without echoing it: readline reads from the terminal
 * in raw mode while its own output (the echo) goes to a sink; only the question is shown.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export function promptHidden(question: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    output.write(question);
    const rl = createInterface({ input, output: sink, terminal: true });
    let answered = false;
    rl.on('SIGINT', () => {
      rl.close();
      output.write('\n');
      reject(new Error('cancelled'));
    });
    rl.on('close', () => {
      if (!answered) reject(new Error('no password given (input closed)'));
    });
    rl.question('', (answer) => {
      answered = true;
      rl.close();
      output.write('\n');
      resolve(answer);
    });
  });
}
