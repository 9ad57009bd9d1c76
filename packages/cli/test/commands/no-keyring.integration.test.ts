// The first run on a machine without a keyring (an SSH server, WSL, a container): no D-Bus session at all
// (DBUS_SESSION_BUS_ADDRESS points nowhere), a real pseudo-terminal (util-linux `script`), the built CLI,
// the real agent process of `arcrun unlock`, and a local Notion stand-in for the test request.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, readdir, readFile, stat } from "node:fs/promises";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";
import { localNotionRecipe } from "../helpers/recipes.js";

const TOKEN = `secret_${randomBytes(16).toString("hex")}`;
const PASSPHRASE = `correct horse ${randomBytes(4).toString("hex")} staple`;
const WRONG = `wrong ${randomBytes(6).toString("hex")}`;
let api: StandIn;
let box: Sandbox;
/** The sandbox's environment with no key at all: no ARCRUN_MASTER_KEY, no ARCRUN_PASSPHRASE. */
let env: Record<string, string>;
const seen: string[] = [];

const choose = /Choose 1 or 2 \[1\]: $/;
const newPass = /New passphrase for the encrypted file \(input hidden\): $/;
const repeat = /Repeat the passphrase \(input hidden\): $/;
const askPass = /Passphrase for [^\n]*secrets\.enc \(input hidden\): $/;
const tokenPrompt = /Internal Integration Token[^\n]*: $/;

beforeAll(async () => {
  api = await notionStandIn(TOKEN);
});
afterAll(async () => {
  await api.close();
  // Nothing typed in secret shows in anything the commands printed.
  const all = seen.join("\n");
  for (const s of [TOKEN, PASSPHRASE, WRONG]) expect(all).not.toContain(s);
});
beforeEach(async () => {
  box = await sandbox();
  const { ARCRUN_MASTER_KEY: _none, ...rest } = box.env;
  env = rest;
  await localNotionRecipe(box.home, api.origin);
  api.requests.length = 0;
});
afterEach(async () => {
  await run(["lock"], env);
  await box.cleanup();
});

function keep<T extends { output?: string; stdout?: string; stderr?: string }>(r: T): T {
  for (const v of [r.output, r.stdout, r.stderr]) if (v !== undefined) seen.push(v);
  return r;
}

/** The agent's socket for this home, as arcrun-auth names it. */
function socketOf(home: string): string {
  const id = createHash("sha256").update(resolve(home)).digest("hex").slice(0, 16);
  return join(env.XDG_RUNTIME_DIR as string, "arcrun", `agent-${id}.sock`);
}

async function setupWithPassphrase(): Promise<string> {
  const r = keep(
    await runInPty(["setup", "notion"], env, [
      { waitFor: choose, send: "1\r" },
      { waitFor: newPass, send: `${PASSPHRASE}\r` },
      { waitFor: repeat, send: `${PASSPHRASE}\r` },
      { waitFor: tokenPrompt, send: `${TOKEN}\r` },
    ]),
  );
  expect(r.code, r.output).toBe(0);
  return r.output;
}

/**
 * Connects as another user (uid/gid 65534, "nobody"); resolves with "EACCES", "connected" or the error text.
 * The client is Debian's essential perl-base: the Node under test may live where nobody cannot run it
 * (CI's Node 22 and 24 are under /root/.cache).
 */
function connectAs65534(path: string): Promise<string> {
  const code =
    'my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]); print $s ? "connected\n" : ($!{EACCES} ? "EACCES\n" : "$!\n")';
  return new Promise((res, rej) => {
    const p = spawn("/usr/bin/perl", ["-MIO::Socket::UNIX", "-e", code, path], {
      uid: 65534,
      gid: 65534,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    p.on("error", rej);
    p.on("close", () => res(out.trim()));
  });
}

/** One request to the agent as this user: the agent's one-line answer. */
function ask(path: string, op: string): Promise<string> {
  return new Promise((res) => {
    const s = connect(path);
    let out = "";
    s.on("connect", () => s.write(`${JSON.stringify({ op })}\n`));
    s.on("data", (d: Buffer) => {
      out += d;
    });
    s.on("error", (e: NodeJS.ErrnoException) => res(e.code ?? "error"));
    s.on("close", () => res(out.trim()));
  });
}

async function gone(path: string): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (
      !(await lstat(path).then(
        () => true,
        () => false,
      ))
    )
      return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("arcrun on a machine without a keyring (pseudo-terminal, no D-Bus)", () => {
  it("setup creates the passphrase before the secret is asked; a second process reads it through the agent of arcrun unlock, with no environment variable", async () => {
    const output = await setupWithPassphrase();
    expect(output.indexOf("It has no key yet")).toBeGreaterThan(-1);
    expect(output.indexOf("New passphrase")).toBeLessThan(output.indexOf("Internal Integration Token"));
    expect(output).toMatch(/Strength: (weak|fair|good|strong) \(about \d+ bits\)/);
    expect(output).toMatch(/Saved Notion \(notion, instance default\) to the encrypted-file store/);
    expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(await readFile(join(box.home, "config.yaml"), "utf8")).toMatch(/^store_key: passphrase$/m);
    expect(await readFile(join(box.home, "secrets.enc"), "utf8")).not.toContain(TOKEN);

    // Locked: a script without a terminal and without ARCRUN_PASSPHRASE is told what to do.
    const locked = keep(await run(["secret", "notion"], env));
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain("locked with a passphrase: run arcrun unlock");

    const noTty = keep(await run(["unlock"], env));
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain("no terminal to ask the passphrase on");
    const unlocked = keep(
      await runInPty(["unlock", "--for", "10m"], env, [{ waitFor: askPass, send: `${PASSPHRASE}\r` }]),
    );
    expect(unlocked.code, unlocked.output).toBe(0);
    expect(unlocked.output).toContain("Unlocked");

    // The agent got the key over a pipe: neither its argv nor its environment holds anything of arcrun's.
    const agents = (await readdir("/proc")).filter((d) => /^\d+$/.test(d));
    let found = 0;
    for (const pid of agents) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (!cmdline.startsWith("arcrun-agent")) continue;
      const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
      found++;
      expect(cmdline).not.toContain(PASSPHRASE);
      expect(environ).not.toContain("ARCRUN_");
      expect(environ).not.toContain(PASSPHRASE);
    }
    expect(found).toBeGreaterThanOrEqual(1);
    const second = await run(["secret", "notion"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${TOKEN}\n`);
    expect(env.ARCRUN_PASSPHRASE).toBeUndefined();
    expect(env.ARCRUN_MASTER_KEY).toBeUndefined();

    const doctor = JSON.parse(keep(await run(["doctor", "--json"], env)).stdout) as {
      store: { ok: boolean; state: string; key_choice: string; agent: { running: boolean } };
    };
    expect(doctor.store).toMatchObject({
      ok: true,
      state: "ready",
      key_choice: "passphrase",
      agent: { running: true },
    });

    const lock = keep(await run(["lock"], env));
    expect(lock.stderr).toContain("Locked: the agent forgot the key");
    expect(await gone(socketOf(box.home))).toBe(true);
    expect((await run(["secret", "notion"], env)).code).toBe(1);
  });

  it("the agent's socket is 0600 in a 0700 directory: another user is refused, and a loosened mode makes it forget the key", async () => {
    await setupWithPassphrase();
    keep(await runInPty(["unlock"], env, [{ waitFor: askPass, send: `${PASSPHRASE}\r` }]));
    const sock = socketOf(box.home);
    const dir = join(sock, "..");
    expect((await stat(sock)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await ask(sock, "status"))).toMatchObject({ ok: true, home: box.home });

    // Another user (only root can start a process as one; CI runs these tests as root): it may walk down to
    // the agent's directory, whose 0700 stops it; with the directory opened too, the socket's own 0600 stops
    // it (the kernel checks it on connect).
    const root = join(box.home, "..");
    await chmod(root, 0o711);
    await chmod(env.XDG_RUNTIME_DIR as string, 0o711);
    if (process.getuid?.() === 0) expect(await connectAs65534(sock)).toBe("EACCES");
    await chmod(dir, 0o711);
    if (process.getuid?.() === 0) expect(await connectAs65534(sock)).toBe("EACCES");

    // The agent checks the modes itself before every answer: loosened, it refuses, forgets the key, exits.
    const refused = JSON.parse(await ask(sock, "key")) as { ok: boolean; error: string; key?: string };
    expect(refused).toMatchObject({ ok: false });
    expect(refused.key).toBeUndefined();
    expect(refused.error).toContain("mode 0711, not 0700");
    expect(await gone(sock)).toBe(true);
    await chmod(dir, 0o700);
    const after = keep(await run(["secret", "notion"], env));
    expect(after.code).toBe(1);
  });

  it("unlock --for 1s: the agent forgets the key and exits when the time is up", async () => {
    await setupWithPassphrase();
    const r = keep(
      await runInPty(["unlock", "--for", "1s"], env, [{ waitFor: askPass, send: `${PASSPHRASE}\r` }]),
    );
    expect(r.code, r.output).toBe(0);
    expect(await gone(socketOf(box.home))).toBe(true);
    const after = keep(await run(["secret", "notion"], env));
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("locked with a passphrase: run arcrun unlock");
  });

  it("the key-file choice round-trips and arcrun doctor reports it", async () => {
    const r = keep(
      await runInPty(["setup", "notion"], env, [
        { waitFor: choose, send: "2\r" },
        { waitFor: tokenPrompt, send: `${TOKEN}\r` },
      ]),
    );
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("not against other programs running as you");
    expect(r.output.indexOf("master.key")).toBeLessThan(r.output.indexOf("Internal Integration Token"));
    expect((await stat(join(box.home, "master.key"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(box.home, "config.yaml"), "utf8")).toMatch(/^store_key: key-file$/m);

    const secret = await run(["secret", "notion"], env);
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stdout).toBe(`${TOKEN}\n`);

    const d = keep(await run(["doctor", "--json"], env));
    expect(d.code, d.stdout).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({
      store: {
        ok: true,
        kind: "encrypted-file",
        state: "ready",
        key_choice: "key-file",
        key_source: `key file ${join(box.home, "master.key")}`,
      },
    });
    const human = keep(await run(["doctor"], env));
    expect(human.stdout).toContain(
      "chosen key: the key file master.key (protects against leaked backups and commits, not against other programs running as you)",
    );
    // Nothing to unlock with a key file.
    const unlock = keep(await run(["unlock"], env));
    expect(unlock.code).toBe(1);
    expect(unlock.stderr).toContain("not a passphrase");
  });

  it("a wrong passphrase at the prompt changes nothing stored, and no secret is asked", async () => {
    await setupWithPassphrase();
    const before = await readFile(join(box.home, "secrets.enc"));
    const r = keep(
      await runInPty(["setup", "notion"], env, [
        { waitFor: askPass, send: `${WRONG}\r` },
        { waitFor: askPass, send: `${WRONG}\r` },
        { waitFor: askPass, send: `${WRONG}\r` },
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain("That is not the passphrase");
    expect(r.output).toContain("nothing was changed");
    expect(r.output).not.toMatch(tokenPrompt);
    expect(await readFile(join(box.home, "secrets.enc"))).toEqual(before);
    const right = await run(["secret", "notion"], { ...env, ARCRUN_PASSPHRASE: PASSPHRASE });
    expect(right.stdout).toBe(`${TOKEN}\n`);
  });

  it("without a terminal and without a key: setup fails before reading the secret; doctor marks the store ✖ with the fix", async () => {
    const r = keep(await run(["setup", "notion"], env, `${TOKEN}\n`));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no key yet; nothing was read or saved");
    expect(r.stderr).toContain("run arcrun setup notion at a terminal to choose a passphrase or a key file");
    expect(await stat(join(box.home, "secrets.enc")).catch(() => null)).toBeNull();
    expect(api.requests).toHaveLength(0);
    // OAuth too: the store is checked before any consent URL is shown or a browser opened.
    const oauth = keep(await run(["setup", "google_drive", "--no-browser"], env));
    expect(oauth.code).toBe(1);
    expect(oauth.stderr).toContain("has no key yet; nothing was read or saved");
    expect(oauth.stderr).not.toContain("Connecting");
    expect(oauth.stderr).not.toContain("https://");

    const d = keep(await run(["doctor"], env));
    expect(d.code).toBe(1);
    expect(d.stdout).toContain("✖ Store: encrypted-file: cannot be written:");
    expect(d.stdout).toContain("fix: run arcrun setup <service> at a terminal");
    expect(d.stdout).not.toContain("✔ Store");
  });

  it("a CI run whose credential comes from the environment: every command works, the announcement is printed once per home", async () => {
    const { writeFile } = await import("node:fs/promises");
    const NOTICE = "no OS keyring answered";
    const count = (t: string) => t.split("\n").filter((l) => l.includes(NOTICE)).length;
    // A home CI cannot write to (here: below a file) is remembered in the private runtime directory.
    const blocker = join(box.home, "..", "blocker");
    await writeFile(blocker, "");
    for (const home of [box.home, join(blocker, "home")]) {
      const ci = {
        ...env,
        CI: "true",
        ARCRUN_HOME: home,
        ARCRUN_RECIPES_DIR: join(box.home, "recipes"),
        ARCRUN_NOTION_TOKEN: TOKEN,
      };
      let notices = 0;
      for (const args of [
        ["token", "notion"],
        ["secret", "notion"],
        ["test", "notion"],
        ["list", "--connected"],
        ["status"],
      ]) {
        // stdout of token and secret is the token itself, asked for: only stderr is checked for secrets.
        const r = await run(args, ci);
        keep({ stderr: r.stderr });
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        notices += count(r.stderr);
      }
      expect(notices, home).toBe(1);
    }
  });
});
