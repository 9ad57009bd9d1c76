import type {
  CredentialEnvelope,
  Execution,
  RecipeCheckResponse,
  RecipePushRequest,
  RecipePushResponse,
  TraceEntry,
} from "@arcrun/workflow";
import { CliError } from "./errors.js";

/** The local executor that `pnpm start` (and `pnpm --filter executor-worker dev`) runs. */
export const DEFAULT_EXECUTOR_URL = "http://127.0.0.1:8788";

export interface ExecutorTarget {
  /** Without a trailing slash. */
  url: string;
  urlSource: "ARCRUN_EXECUTOR_URL" | "default";
  /** Sent as X-Arcrun-API-Key; unset talks to a single-tenant executor that has no ARCRUN_API_KEY. */
  apiKey: string | undefined;
}

/** Where the commands send their requests: ARCRUN_EXECUTOR_URL (default the local one) as ARCRUN_API_KEY. */
export function executorTarget(env: Readonly<Record<string, string | undefined>>): ExecutorTarget {
  const raw = env.ARCRUN_EXECUTOR_URL?.trim();
  let url = DEFAULT_EXECUTOR_URL;
  if (raw) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new CliError(
        "ERR_INVALID_INPUT",
        `ARCRUN_EXECUTOR_URL is not a URL: "${raw}"`,
        `set it to the executor's address, e.g. ${DEFAULT_EXECUTOR_URL}`,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new CliError(
        "ERR_INVALID_INPUT",
        `ARCRUN_EXECUTOR_URL must be http(s), got "${parsed.protocol}"`,
        `set it to the executor's address, e.g. ${DEFAULT_EXECUTOR_URL}`,
      );
    }
    url = raw.replace(/\/+$/, "");
  }
  const apiKey = env.ARCRUN_API_KEY?.trim() || undefined;
  return { url, urlSource: raw ? "ARCRUN_EXECUTOR_URL" : "default", apiKey };
}

/** True for 127.0.0.1, ::1 and localhost: an executor on this machine (its .dev.vars may be readable). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/**
 * What to do when nothing answers: `pnpm start` serves only the local default, so any other URL (a
 * deployed executor, or another port on this machine) is a matter of ARCRUN_EXECUTOR_URL and that executor.
 */
export function unreachableHint(url: string): string {
  if (url === DEFAULT_EXECUTOR_URL) return "start it with: pnpm start";
  if (isLoopback(url))
    return `check ARCRUN_EXECUTOR_URL (${url}) and that the executor is running there (pnpm start serves ${DEFAULT_EXECUTOR_URL})`;
  return `check ARCRUN_EXECUTOR_URL (${url}) and that the executor is deployed`;
}

/** One problem of a workflow, with its line and node where the executor knows them. */
export interface WorkflowIssue {
  message: string;
  line?: number;
  node?: string;
}

/** An error the executor answered with (`{ error: { code, message, issues? } }`); its code is the executor's. */
export class ExecutorApiError extends CliError {
  override name = "ExecutorApiError";
  readonly status: number;
  readonly issues: WorkflowIssue[];

  constructor(status: number, code: string, message: string, issues: WorkflowIssue[] = []) {
    super(code, message);
    this.status = status;
    this.issues = issues;
  }
}

// The wire types are the protocol module's, shared with the executor Worker (docs/executor.md).
export type { Execution, TraceEntry };

export interface ExecutionSummary {
  id: string;
  status: Execution["status"];
  started_at: string;
  duration_ms?: number;
  error?: Execution["error"];
}

export interface PushedWorkflow {
  name: string;
  nodes: string[];
  edges: { from: string; to: string; kind: { type: string; label?: string; variable?: string } }[];
  replaced: boolean;
}

export interface CredentialMeta {
  name: string;
  recipe?: string;
  hosts?: string[];
  created_at?: string;
}

/** A component's contract as GET /components serves it. */
export interface ComponentContract {
  canonical_id: string;
  category?: string;
  description?: string;
  input_schema?: {
    required?: string[];
    properties?: Record<string, { type?: unknown; description?: string }>;
  };
  output_schema?: unknown;
  examples?: { name: string; config: Record<string, unknown>; output: Record<string, unknown> }[];
  wasm_bytes?: number;
  imports?: string[];
  [key: string]: unknown;
}

export interface Health {
  ok: boolean;
  components: number;
  suspend: string;
  tenancy: string;
}

interface RequestOptions {
  body?: string;
  contentType?: string;
  /** Default 30 s: a sync run (`query`) may take that long. */
  timeoutMs?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The executor's HTTP API (docs/executor.md "Routes"), with errors the CLI can show as they are. */
export class ExecutorClient {
  target: ExecutorTarget;
  readonly #fetch: typeof fetch;
  /** Asked once, on the first 401 without an API key: the key to retry with (none: the 401 stands). */
  #onUnauthorized: (() => Promise<string | undefined>) | undefined;

  constructor(
    target: ExecutorTarget,
    fetchFn: typeof fetch = fetch,
    onUnauthorized?: () => Promise<string | undefined>,
  ) {
    this.target = target;
    this.#fetch = fetchFn;
    this.#onUnauthorized = onUnauthorized;
  }

  get url(): string {
    return this.target.url;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.target.apiKey) headers["x-arcrun-api-key"] = this.target.apiKey;
    if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    let res: Response;
    try {
      res = await this.#fetch(`${this.target.url}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        redirect: "error",
      });
    } catch (cause) {
      throw this.#unreachable(cause);
    }
    const late = res.status === 401 && !this.target.apiKey ? this.#onUnauthorized : undefined;
    if (late) {
      this.#onUnauthorized = undefined;
      const apiKey = await late();
      if (apiKey) {
        await res.body?.cancel();
        this.target = { ...this.target, apiKey };
        return this.request(method, path, options);
      }
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = isRecord(body) && isRecord(body.error) ? body.error : undefined;
      if (e && typeof e.code === "string" && typeof e.message === "string") {
        const issues = Array.isArray(e.issues)
          ? (e.issues.filter(isRecord) as unknown as WorkflowIssue[])
          : [];
        throw new ExecutorApiError(res.status, e.code, e.message, issues);
      }
      throw new ExecutorApiError(
        res.status,
        "ERR_EXECUTOR_RESPONSE",
        `${method} ${path} answered HTTP ${res.status} without an arcrun error: is ${this.target.url} an arcrun executor? Check ARCRUN_EXECUTOR_URL`,
      );
    }
    if (body === undefined) {
      throw new ExecutorApiError(
        res.status,
        "ERR_EXECUTOR_RESPONSE",
        `${method} ${path} answered with something that is not JSON: is ${this.target.url} an arcrun executor? Check ARCRUN_EXECUTOR_URL`,
      );
    }
    return body as T;
  }

  #unreachable(cause: unknown): CliError {
    const name = isRecord(cause) ? cause.name : undefined;
    if (name === "TimeoutError") {
      return new CliError(
        "ERR_EXECUTOR_TIMEOUT",
        `the executor at ${this.target.url} did not answer in time`,
        `check that it is running and not overloaded: curl -s ${this.target.url}/health`,
      );
    }
    const err = new CliError(
      "ERR_EXECUTOR_UNREACHABLE",
      `no executor answers at ${this.target.url}${this.target.urlSource === "default" ? " (the local default)" : " (ARCRUN_EXECUTOR_URL)"}`,
      unreachableHint(this.target.url),
    );
    return err;
  }

  health(timeoutMs?: number): Promise<Health> {
    return this.request("GET", "/health", timeoutMs === undefined ? {} : { timeoutMs });
  }

  async components(timeoutMs?: number): Promise<ComponentContract[]> {
    const r = await this.request<{ components: ComponentContract[] }>(
      "GET",
      "/components",
      timeoutMs === undefined ? {} : { timeoutMs },
    );
    return r.components;
  }

  pushWorkflow(source: string, format: "yaml" | "json"): Promise<PushedWorkflow> {
    return this.request("POST", "/webhooks/named", {
      body: source,
      contentType: format === "json" ? "application/json" : "application/yaml",
    });
  }

  async workflows(): Promise<string[]> {
    return (await this.request<{ workflows: string[] }>("GET", "/workflows")).workflows;
  }

  trigger(
    name: string,
    input: unknown,
  ): Promise<{ execution_id: string; status: string; status_url: string }> {
    return this.request("POST", `/webhooks/named/${encodeURIComponent(name)}/trigger`, {
      body: JSON.stringify(input),
    });
  }

  execution(id: string): Promise<Execution> {
    return this.request("GET", `/executions/${encodeURIComponent(id)}`);
  }

  async executions(name: string, limit: number): Promise<ExecutionSummary[]> {
    const r = await this.request<{ executions: ExecutionSummary[] }>(
      "GET",
      `/workflows/${encodeURIComponent(name)}/executions?limit=${limit}`,
    );
    return r.executions;
  }

  async workflowExists(name: string): Promise<boolean> {
    try {
      await this.request("GET", `/workflows/${encodeURIComponent(name)}`);
      return true;
    } catch (err) {
      if (err instanceof ExecutorApiError && err.code === "ERR_WORKFLOW_NOT_FOUND") return false;
      throw err;
    }
  }

  pushCredential(
    body: CredentialEnvelope & { recipe?: string; hosts?: string[] },
  ): Promise<{ name: string; recipe: string | null; created_at: string }> {
    return this.request("POST", "/credentials", { body: JSON.stringify(body) });
  }

  /** Where a recipe would send the credential (arcrun recipe push, before it asks); stores nothing. */
  checkRecipe(body: RecipePushRequest): Promise<RecipeCheckResponse> {
    return this.request("POST", "/recipes/check", { body: JSON.stringify(body) });
  }

  /** Stores a recipe for the tenant once its hosts are confirmed and its test request passes. */
  pushRecipe(body: RecipePushRequest): Promise<RecipePushResponse> {
    return this.request("POST", "/recipes", { body: JSON.stringify(body) });
  }

  /** The tenant this client's API key is for (not a secret: its credential key is derived with it). */
  async tenant(): Promise<string> {
    const r = await this.request<{ tenant?: string }>("GET", "/credentials");
    if (typeof r.tenant !== "string") {
      throw new CliError(
        "ERR_EXECUTOR",
        "the executor did not say which tenant this API key is for: it is older than this arcrun",
        "update the executor (wrangler deploy), or push with a tenant key (arcrun-tk1.<tenant>.<key>) in ARCRUN_EXECUTOR_KEY",
      );
    }
    return r.tenant;
  }

  async credentials(): Promise<CredentialMeta[]> {
    return (await this.request<{ credentials: CredentialMeta[] }>("GET", "/credentials")).credentials;
  }
}
