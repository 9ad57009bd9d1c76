/**
 * The agent of `arcrun unlock` (docs/cli.md): loaded only when called, so importing arcrun-auth loads no
 * socket or process code.
 */
import type { AgentStatus, StartAgentOptions } from "./internal/agent/client.js";

export type { AgentStatus, StartAgentOptions };

type Env = Readonly<Record<string, string | undefined>>;

/** Starts the agent of `home` holding an unlocked key (replacing one that runs); see internal/agent. */
export async function startKeyAgent(options: StartAgentOptions): Promise<AgentStatus> {
  return (await import("./internal/agent/client.js")).startKeyAgent(options);
}

/** Makes the agent of `home` forget its key and exit; false when none was running. */
export async function lockAgent(home: string, env: Env): Promise<boolean> {
  return (await import("./internal/agent/client.js")).lockAgent(home, env);
}

/** Whether an agent holds the key of `home`, and until when. */
export async function agentStatus(home: string, env: Env): Promise<AgentStatus> {
  return (await import("./internal/agent/client.js")).agentStatus(home, env);
}
