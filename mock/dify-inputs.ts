import { HttpError } from './http.ts';
import { MAX_ANSWER_TOKENS, maxTokensValue } from './script.ts';

/**
 * Dify has no request field for the answer's length: an app that wants one defines an input
 * variable for it (used e.g. as its LLM node's max tokens). The mock reads `inputs.max_tokens`
 * (a positive integer, or its decimal text, as Dify's number inputs arrive); anything else there is
 * a 400, as Dify answers an input of the wrong type.
 */
export function inputsMaxTokens(body: Record<string, unknown>): number | null {
  const inputs = body.inputs;
  if (typeof inputs !== 'object' || inputs === null) return null;
  const max = maxTokensValue((inputs as Record<string, unknown>)['max_tokens']);
  if (max === undefined) throw new HttpError(400, 'invalid_param', `inputs.max_tokens must be an integer from 1 to ${MAX_ANSWER_TOKENS}.`);
  return max;
}

/** A workflow's context: its `question` input (else all its inputs as JSON), and `inputs.max_tokens`. */
export function difyInputsContext(body: Record<string, unknown>): { chars: number; maxTokens: number | null } {
  const inputs = (body.inputs ?? {}) as Record<string, unknown>;
  const question = inputs['question'];
  return { chars: typeof question === 'string' ? question.length : JSON.stringify(inputs).length, maxTokens: inputsMaxTokens(body) };
}
