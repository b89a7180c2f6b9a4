/**
 * The stock tabs of k6's web dashboard (Overview, Timings, Summary), as xk6-dashboard's
 * default configuration defines them (`dashboard/assets/packages/config/src/config.js` of
 * grafana/xk6-dashboard v0.7, built by its ConfigBuilder): titles, summaries, queries and
 * ids unchanged, odd spacing included (`rate ]`, the trailing blanks of "Sent Rate"), so a
 * custom configuration that keeps them shows exactly what k6 shows without one.
 * A custom configuration replaces the whole default, so sse-bench's view carries these copies;
 * the real-k6 test (test/e2e/web-dashboard.test.ts) compares them with the `config` event of
 * a k6 run without a custom configuration.
 */
import { buildTab, serie, type DashboardTab, type PanelSpec } from './web-dashboard-model.ts';

const trend = (name: string): string => `${name}[?!tags && (avg || p90 || p95 || p99)]`;

const REQUEST_DURATION =
  'The HTTP request duration represents the total time for a request. This is an indication of the latency experienced when making HTTP requests against the system under test.';
const REQUEST_FAILED =
  'The rate of failed requests according to the test configuration. Failed requests can include any number of status codes depending on your test. Refer to setResponseCallback for more details.';
const REQUEST_RATE = 'The HTTP request rate represents the number of requests over a period of time.';

const chart = (title: string, summary: string, ...queries: string[]): PanelSpec => ({ title, summary, series: queries.map((q) => serie(q)) });
const stat = (title: string, summary: string, query: string): PanelSpec => ({ title, kind: 'stat', summary, series: [serie(query)] });
const summaryPanel = (title: string, query: string): PanelSpec => ({ title, kind: 'summary', series: [serie(query)] });

const overview = buildTab(
  'tab-0',
  'Overview',
  'This chapter provides an overview of the most important metrics of the test run. Graphs plot the value of metrics over time.',
  [
    {
      panels: [
        stat(
          'Iteration Rate',
          'The iteration rate represents the number of times a VU has executed a test script (the `default` function) over a period of time. The panel can help you ensure that your test iteration rate matches the configuration you have specified in your test script, and that the number of VUs you have allocated matches the test capacity.',
          'iterations[?!tags && rate]',
        ),
        stat('HTTP Request Rate', REQUEST_RATE, 'http_reqs[?!tags && rate]'),
        stat('HTTP Request Duration', REQUEST_DURATION, 'http_req_duration[?!tags && avg]'),
        stat('HTTP Request Failed', REQUEST_FAILED, 'http_req_failed[?!tags && rate ]'),
        stat('Received Rate', 'The amount of data received over a period of time.', 'data_received[?!tags && rate]'),
        stat('Sent Rate', 'The amount of data sent to the system under test.   ', 'data_sent[?!tags && rate]'),
      ],
    },
    {
      panels: [
        {
          title: 'HTTP Performance overview',
          summary:
            'The HTTP request rate represents the number of requests over a period of time. The HTTP request duration 95 percentile represents the total time for 95% of the requests observed. The HTTP request failed rate represents the rate of failed requests according to the test configuration. Failed requests can include any number of status codes depending on your test. Refer to setResponseCallback for more details.',
          fullWidth: true,
          series: [
            serie('http_reqs[?!tags && rate]', 'Request Rate'),
            serie('http_req_duration[?!tags && p95]', 'Request Duration p(95)'),
            serie('http_req_failed[?!tags && rate]', 'Request Failed'),
          ],
        },
      ],
    },
    {
      panels: [
        chart(
          'VUs',
          'The number of VUs and the number of requests throughout the test run. This is an indication of how the two metrics correlate, and can help you visualize if you need to increase or decrease the number of VUs for your test.',
          'vus[?!tags && value]',
          'http_reqs[?!tags && rate ]',
        ),
        chart('Transfer Rate', 'The rate at which data is sent to and received from the system under test.', 'data_received[?!tags && rate]', 'data_sent[?!tags && rate]'),
        chart('HTTP Request Duration', REQUEST_DURATION, trend('http_req_duration')),
        chart('Iteration Duration', 'The time to complete one full iteration of the test, including time spent in setup and teardown.', trend('iteration_duration')),
      ],
    },
  ],
);

const timings = buildTab('tab-1', 'Timings', 'This chapter provides an overview of test run HTTP timing metrics. Graphs plot the value of metrics over time.', [
  {
    title: 'HTTP',
    summary: 'These metrics are generated only when the test makes HTTP requests.',
    panels: [
      chart('Request Duration', REQUEST_DURATION, trend('http_req_duration')),
      chart('Request Failed Rate', REQUEST_FAILED, 'http_req_failed[?!tags && rate ]'),
      chart('Request Rate', REQUEST_RATE, 'http_reqs[?!tags && rate]'),
      chart(
        'Request Waiting',
        "The time between k6 sending a request and receiving the first byte of information from the remote host. Also known as 'time to first byte' or 'TTFB'.",
        trend('http_req_waiting'),
      ),
      chart('TLS handshaking', 'The time it takes to complete the TLS handshake for the requests.', trend('http_req_tls_handshaking')),
      chart('Request Sending', 'The time k6 spends sending data to the remote host.', trend('http_req_sending')),
      chart('Request Connecting', 'The time k6 spends establishing a TCP connection to the remote host.', trend('http_req_connecting')),
      chart('Request Receiving', 'The time k6 spends receiving data from the remote host.', trend('http_req_receiving')),
      chart('Request Blocked', 'The time k6 spends waiting for a free TCP connection slot before initiating a request.', trend('http_req_blocked')),
    ],
  },
  {
    title: 'Browser',
    summary: 'The k6 browser module emits its own metrics based on the Core Web Vitals and Other Web Vitals.',
    panels: [
      chart('Request Duration', REQUEST_DURATION, trend('browser_http_req_duration')),
      chart('Request Failed Rate', REQUEST_FAILED, 'browser_http_req_failed[?!tags && rate ]'),
      chart(
        'Largest Contentful Paint',
        'Largest Contentful Paint (LCP) measures the time it takes for the largest content element on a page to become visible.',
        trend('browser_web_vital_lcp'),
      ),
      chart(
        'First Input Delay',
        "First Input Delay (FID) measures the responsiveness of a web page by quantifying the delay between a user's first interaction, such as clicking a button, and the browser's response.",
        trend('browser_web_vital_fid'),
      ),
      chart(
        'Cumulative Layout Shift',
        'Cumulative Layout Shift (CLS) measures visual stability on a webpage by quantifying the amount of unexpected layout shift of visible page content.',
        trend('browser_web_vital_cls'),
      ),
      chart(
        'Time to First Byte',
        'Time to First Byte (TTFB) measures the time between the request for a resource and when the first byte of a response begins to arrive.',
        trend('browser_web_vital_ttfb'),
      ),
      chart(
        'First Contentful Paint',
        'First Contentful Paint (FCP) measures the time it takes for the first content element to be painted on the screen.',
        trend('browser_web_vital_fcp'),
      ),
      chart(
        'Interaction to Next Paint',
        "Interaction to Next Paint (INP) measures a page's overall responsiveness to user interactions by observing the latency of all click, tap, and keyboard interactions that occur throughout the lifespan of a user's visit to a page.",
        trend('browser_web_vital_inp'),
      ),
    ],
  },
  {
    title: 'WebSocket',
    summary: 'k6 emits the following metrics when interacting with a WebSocket service through the experimental or legacy websockets API.',
    panels: [
      chart(
        'Connect Duration',
        'The duration of the WebSocket connection request. This is an indication of the latency experienced when connecting to a WebSocket server.',
        trend('ws_connecting'),
      ),
      chart('Session Duration', 'The time between the start of the connection and the end of the VU execution.', trend('ws_session_duration')),
      chart(
        'Ping Duration',
        'The duration between a ping request and its pong reception. This is an indication of the latency experienced during the roundtrip of sending a ping message to a WebSocket server, and waiting for the pong response message to come back.',
        trend('ws_ping'),
      ),
      chart(
        'Transfer Rate',
        'The total number of WebSocket messages sent, and the total number of WebSocket messages received.',
        'ws_msgs_sent[?!tags && rate]',
        'ws_msgs_received[?!tags && rate]',
      ),
      chart('Sessions Rate', 'The total number of WebSocket sessions started.', 'ws_sessions[?!tags && rate]'),
    ],
  },
  {
    title: 'gRPC',
    summary: 'k6 emits the following metrics when it interacts with a service through the gRPC API.',
    panels: [
      chart(
        'Request Duration',
        'The gRPC request duration represents the total time for a gRPC request. This is an indication of the latency experienced when making gRPC requests against the system under test.',
        trend('grpc_req_duration'),
      ),
      chart(
        'Transfer Rate',
        'The total number of messages sent to gRPC streams, and the total number of messages received from a gRPC stream.',
        'grpc_streams_msgs_sent[?!tags && rate]',
        'grpc_streams_msgs_received[?!tags && rate]',
      ),
      chart('Streams Rate', 'The total number of gRPC streams started.', 'grpc_streams[?!tags && rate]'),
    ],
  },
]);

const summary = buildTab(
  'tab-2',
  'Summary',
  'This chapter provides a summary of the test run metrics. The tables contains the aggregated values of the metrics for the entire test run.',
  [
    { title: '', panels: [summaryPanel('Trends', '[?!tags && trend]')] },
    {
      title: '',
      panels: [summaryPanel('Counters', '[?!tags && counter]'), summaryPanel('Rates', '[?!tags && rate]'), summaryPanel('Gauges', '[?!tags && gauge]')],
    },
  ],
);

/** The title of k6's default configuration. */
export const STOCK_TITLE = 'k6 dashboard';

/** Overview, Timings, Summary: the default configuration's tabs, in order. */
export const STOCK_TABS: readonly DashboardTab[] = [overview, timings, summary];
