// Test-only preload (node --import): sends the requests arcrun-auth makes to a recipe's real hosts to local
// stand-ins, so a recipe is tested as shipped (base_url, hosts and inject unchanged). ARCRUN_TEST_HOST_MAP is
// JSON: { "api.notion.com": "http://127.0.0.1:PORT" }. arcrun-auth sends through the process's global
// dispatcher (as fetch does), so this installs one with undici's public setGlobalDispatcher: an Agent composed
// with an interceptor that rewrites a mapped origin. Nothing in src/ reads this variable.
import { createRequire } from "node:module";

const map = JSON.parse(process.env.ARCRUN_TEST_HOST_MAP ?? "{}");
const fromCli = createRequire(new URL("../../package.json", import.meta.url));
const fromAuth = createRequire(fromCli.resolve("arcrun-auth"));
const { Agent, setGlobalDispatcher } = fromAuth("undici");
setGlobalDispatcher(
  new Agent().compose((dispatch) => (options, handler) => {
    const origin = new URL(String(options.origin));
    const to = map[origin.host] ?? map[origin.hostname];
    if (to === undefined) return dispatch(options, handler);
    const headers = { ...(options.headers ?? {}), "x-test-original-host": origin.host };
    return dispatch({ ...options, origin: to, headers }, handler);
  }),
);
