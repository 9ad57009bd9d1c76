/**
 * The agent's protocol: one JSON line in, one JSON line out, then the connection closes.
 * `key` hands out the unlocked key (base64), `status` says until when it holds one, `lock` makes it forget
 * the key and exit.
 */
export type AgentRequest = { op: "key" } | { op: "status" } | { op: "lock" };

export type AgentReply =
  | { ok: true; key?: string; expires_at: number; home: string }
  | { ok: false; error: string };

/** What `arcrun unlock` writes to the agent's stdin (never argv or the environment): one JSON line. */
export interface AgentStart {
  key: string;
  expires_at: number;
  home: string;
  socket: string;
}
