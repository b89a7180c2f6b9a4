import { workflowPrompt } from './answer-seed.ts';
import { difyStreaming, requireObject, requireString } from './http.ts';
import { uuid } from './rng.ts';
import { DIFY_PING, round, sseData, usage, type Endpoint, type ScriptContext, type StreamEnd, type StreamScript } from './script.ts';
import { difyInputsContext } from './dify-inputs.ts';
import { estimateTokens } from './text.ts';

/** `POST /v1/workflows/run` of a start → LLM → end workflow app (the seed's `workflow_llm`). */

interface Node {
  id: string;
  node_id: string;
  node_type: string;
  title: string;
  index: number;
  predecessor_node_id: string | null;
}

interface Run {
  taskId: string;
  runId: string;
  workflowId: string;
  inputs: unknown;
  promptTokens: number;
  createdAtS: number;
  nodes: [Node, Node, Node];
}

function newRun(ctx: ScriptContext): Run {
  const { rng } = ctx;
  const node = (node_id: string, node_type: string, title: string, index: number, predecessor_node_id: string | null): Node => ({
    id: uuid(rng),
    node_id,
    node_type,
    title,
    index,
    predecessor_node_id,
  });
  const inputs = ctx.body.inputs;
  return {
    taskId: uuid(rng),
    runId: uuid(rng),
    workflowId: uuid(rng),
    inputs,
    promptTokens: estimateTokens(JSON.stringify(inputs)),
    createdAtS: ctx.createdAtS,
    nodes: [node('start', 'start', 'Start', 1, null), node('llm', 'llm', 'LLM', 2, 'start'), node('end', 'end', 'End', 3, 'llm')],
  };
}

function event(run: Run, name: string, data: unknown): string {
  return sseData({ event: name, task_id: run.taskId, workflow_run_id: run.runId, data });
}

function nodeStarted(run: Run, node: Node, inputs: unknown): string {
  return event(run, 'node_started', { ...node, inputs, created_at: run.createdAtS });
}

interface NodeResult {
  inputs: unknown;
  outputs: unknown;
  status: 'succeeded' | 'failed';
  error: string | null;
  tokens: number;
  processData: unknown;
}

function nodeFinished(run: Run, node: Node, r: NodeResult, end: StreamEnd): string {
  return event(run, 'node_finished', {
    ...node,
    inputs: r.inputs,
    process_data: r.processData,
    outputs: r.outputs,
    status: r.status,
    error: r.error,
    elapsed_time: round(end.elapsedS, 6),
    execution_metadata: { total_tokens: r.tokens, total_price: r.tokens * 0.000002, currency: 'USD' },
    created_at: run.createdAtS,
    finished_at: end.nowS,
  });
}

function runResult(run: Run, end: StreamEnd, failure: string | null, status: 'succeeded' | 'failed' | 'stopped' = failure ? 'failed' : 'succeeded') {
  return {
    id: run.runId,
    workflow_id: run.workflowId,
    status,
    outputs: failure ? {} : { text: end.answer },
    error: failure,
    elapsed_time: round(end.elapsedS, 6),
    total_tokens: run.promptTokens + end.tokens,
    total_steps: failure ? 2 : 3,
    created_at: run.createdAtS,
    finished_at: end.nowS,
  };
}

const FAILURE = 'Mock fault: workflow_failed';
/** QueueStopEvent.get_stop_reason() for a user's stop (api/core/app/entities/queue_entities.py). */
const STOPPED = 'Stopped by user.';

function llmResult(run: Run, end: StreamEnd, failure: string | null): NodeResult {
  return {
    inputs: {},
    processData: { model_mode: 'chat', prompts: [{ role: 'user', text: JSON.stringify(run.inputs) }] },
    outputs: failure ? {} : { text: end.answer, usage: usage(run.promptTokens, end), finish_reason: 'stop' },
    status: failure ? 'failed' : 'succeeded',
    error: failure,
    tokens: run.promptTokens + end.tokens,
  };
}

function script(ctx: ScriptContext): StreamScript {
  const run = newRun(ctx);
  const [start, llm, endNode] = run.nodes;
  // text_chunk is the per-token event: everything but the token is serialised once.
  const chunkHead = `data: {"event":"text_chunk","task_id":"${run.taskId}","workflow_run_id":"${run.runId}","data":{"text":`;
  const chunkTail = ',"from_variable_selector":["llm","text"]}}\n\n';
  return {
    ping: DIFY_PING,
    start: () => [
      event(run, 'workflow_started', { id: run.runId, workflow_id: run.workflowId, inputs: run.inputs, created_at: run.createdAtS }),
      nodeStarted(run, start, run.inputs),
      nodeFinished(run, start, { inputs: run.inputs, outputs: run.inputs, status: 'succeeded', error: null, tokens: 0, processData: null }, { answer: '', tokens: 0, elapsedS: 0, nowS: run.createdAtS }),
      nodeStarted(run, llm, {}),
    ],
    token: (json) => chunkHead + json + chunkTail,
    finish: (end) => [
      nodeFinished(run, llm, llmResult(run, end, null), end),
      nodeStarted(run, endNode, { text: end.answer }),
      nodeFinished(run, endNode, { inputs: { text: end.answer }, outputs: { text: end.answer }, status: 'succeeded', error: null, tokens: 0, processData: null }, end),
      event(run, 'workflow_finished', runResult(run, end, null)),
    ],
    error: () => [
      sseData({ event: 'error', task_id: run.taskId, workflow_run_id: run.runId, status: 500, code: 'internal_server_error', message: 'Mock fault: error_event' }),
    ],
    failed: (end) => [nodeFinished(run, llm, llmResult(run, end, FAILURE), end), event(run, 'workflow_finished', runResult(run, end, FAILURE))],
    taskId: run.taskId,
    // Dify's workflow pipeline on QueueStopEvent: the run ends `stopped` with the stop reason as its error.
    stopped: (end) => [event(run, 'workflow_finished', { ...runResult(run, end, STOPPED, 'stopped'), outputs: {} })],
  };
}

export const difyWorkflow: Endpoint = {
  dialect: 'dify',
  validate(body) {
    requireObject(body, 'inputs');
    requireString(body, 'user');
    return difyStreaming(body);
  },
  prompt: workflowPrompt,
  context: difyInputsContext,
  script,
  blocking(ctx, end) {
    const run = newRun(ctx);
    return { task_id: run.taskId, workflow_run_id: run.runId, data: runResult(run, end, null) };
  },
};
