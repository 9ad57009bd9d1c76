/**
 * Which arcrun broker a `client: broker` recipe signs in through: `ARCRUN_BROKER_URL`, else `broker_url` in
 * `$ARCRUN_HOME/config.yaml`. There is no built-in default: a broker holds OAuth client secrets, so the user
 * chooses whose broker to trust (docs/broker.md says how to run one).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { ArcrunError } from "../../errors.js";
import { readConfigFile } from "../config-file.js";
import { isRecord } from "../oauth/endpoint.js";

export interface BrokerUrlSource {
  /** The service being signed in to, named in errors; absent for a general check (`arcrun doctor`). */
  service?: string;
  instance?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** $ARCRUN_HOME; default `env.ARCRUN_HOME`, else ~/.arcrun. */
  home?: string;
}

export interface BrokerLocation {
  url: URL;
  /** Where the URL came from, for `arcrun doctor` and error messages. */
  from: "ARCRUN_BROKER_URL" | "config.yaml";
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function defaultHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.ARCRUN_HOME || join(homedir(), ".arcrun");
}

/** Parses a broker URL: https, or plain http only on loopback (a broker run with `wrangler dev`). */
export function parseBrokerUrl(text: string, where: string, service?: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const ok =
    url !== undefined &&
    !url.username &&
    !url.password &&
    !url.search &&
    !url.hash &&
    (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname)));
  if (!url || !ok) {
    throw new ArcrunError(
      "ERR_BROKER",
      `${where} is not a usable broker URL (expected https://..., or http://127.0.0.1:<port> for a local broker, without query or credentials); fix ${where}`,
      service ? { service } : {},
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url;
}

async function configBrokerUrl(home: string): Promise<string | undefined> {
  const doc = await readConfigFile(home);
  const value = isRecord(doc) ? doc.broker_url : undefined;
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new ArcrunError(
      "ERR_BROKER",
      `broker_url in ${join(home, "config.yaml")} is not a string; set it to your broker's URL`,
    );
  }
  return value;
}

/** The configured broker, or undefined when none is. The environment wins over config.yaml. */
export async function findBroker(src: BrokerUrlSource): Promise<BrokerLocation | undefined> {
  const fromEnv = src.env.ARCRUN_BROKER_URL;
  if (fromEnv)
    return { url: parseBrokerUrl(fromEnv, "ARCRUN_BROKER_URL", src.service), from: "ARCRUN_BROKER_URL" };
  const home = src.home ?? defaultHome(src.env);
  const fromFile = await configBrokerUrl(home);
  if (fromFile) {
    return {
      url: parseBrokerUrl(fromFile, `broker_url in ${join(home, "config.yaml")}`, src.service),
      from: "config.yaml",
    };
  }
  return undefined;
}

/** The configured broker; throws ERR_BROKER saying how to configure one (or to use an own app) when none is. */
export async function requireBroker(src: BrokerUrlSource & { service: string }): Promise<BrokerLocation> {
  const found = await findBroker(src);
  if (found) return found;
  const prefix = `ARCRUN_${src.service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
  throw new ArcrunError(
    "ERR_BROKER",
    `${src.service}: this recipe signs in through an arcrun broker, and none is configured; set ARCRUN_BROKER_URL (or broker_url in ${join(src.home ?? defaultHome(src.env), "config.yaml")}) to a broker you trust (docs/broker.md shows how to run your own), or use your own OAuth app: set ${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET`,
    { service: src.service, ...(src.instance ? { instance: src.instance } : {}) },
  );
}
