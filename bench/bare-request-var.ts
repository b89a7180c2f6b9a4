/** The environment variable that carries build/bare.js's request (JSON `{url, params}`): one name for the script and the bench. */
export const BARE_REQUEST_VAR = 'BARE_REQUEST';
