/**
 * A consent driver for tests: headless Chromium (the Debian package, driven by playwright-core) that
 * follows an authorization URL, signs in on oidc-provider's development login page, approves (or denies)
 * consent and the device-flow confirmation, and stops when the browser reaches the app's redirect URI.
 *
 * ```ts
 * const browser = await launchConsentBrowser();
 * const login = auth.login("svc", { openUrl: (url) => void browser.authorize(url) });
 * await login;
 * await browser.close();
 * ```
 *
 * Never downloads a browser: it uses /usr/bin/chromium (or $CHROMIUM_PATH).
 */
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export interface AuthorizeOptions {
  /** The login name typed on the provider's login page (the account id). Default "alice". */
  login?: string;
  /** Click "Cancel" instead of approving: the provider redirects back with error=access_denied. */
  deny?: boolean;
  /** Stop when the page URL starts with this (the loopback redirect); default: any http://127.0.0.1 / [::1] / localhost page that is not the provider. */
  stopAt?: (url: URL) => boolean;
  /**
   * An origin the browser cannot reach, as when the redirect URI points at another machine (SSH,
   * containers): requests to it fail in the browser, and `finalUrl` is the address it tried, which a person
   * would copy from the address bar. Used to test paste-back.
   */
  unreachableOrigin?: string;
  /** For the device flow: the user code to type when the URL does not carry it. */
  userCode?: string;
}

export interface AuthorizeResult {
  /** The URL the browser ended on (the redirect URI with `code` and `state`, or the provider's success page). */
  finalUrl: string;
  /** The visible text of that page. */
  text: string;
  status: number | undefined;
  /** The path of every page the driver acted on, in order (for failure messages). */
  pages: string[];
}

export interface ConsentBrowser {
  /** Runs one sign-in in a fresh browser context (no cookies shared between calls). */
  authorize(url: string, options?: AuthorizeOptions): Promise<AuthorizeResult>;
  close(): Promise<void>;
}

/** A page whose only form has hidden inputs and no visible control: it submits itself from script. */
async function autoSubmits(page: Page): Promise<boolean> {
  return page
    .evaluate<boolean>(
      // A string: this package type-checks without the DOM library.
      `(() => {
        const form = document.forms[0];
        if (!form) return false;
        const controls = Array.from(form.elements);
        return controls.length > 0 && controls.every((el) => el.type === "hidden");
      })()`,
    )
    .catch(() => true); // "Execution context was destroyed": the navigation has begun
}

/** Clicks and waits for the navigation it starts (if any). */
async function clickAndWait(page: Page, target: Locator): Promise<void> {
  await Promise.all([
    page.waitForNavigation({ waitUntil: "domcontentloaded" }).catch(() => undefined),
    target.click(),
  ]);
}

async function clickSubmit(page: Page, label?: RegExp): Promise<void> {
  await clickAndWait(
    page,
    label ? page.getByRole("button", { name: label }).first() : page.locator("button[type=submit]").first(),
  );
}

export async function launchConsentBrowser(): Promise<ConsentBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    async authorize(url, options = {}) {
      const providerOrigin = new URL(url).origin;
      const stopAt = options.stopAt ?? ((u: URL) => u.origin !== providerOrigin);
      // An unreachable origin: everything but the provider goes through a proxy that is not there (Playwright
      // sends loopback through the proxy too), so the redirect fails as it would on another machine.
      const context = await browser.newContext(
        options.unreachableOrigin
          ? { proxy: { server: "http://127.0.0.1:9", bypass: new URL(url).host } }
          : {},
      );
      const page = await context.newPage();
      // Playwright waits for ever on a click by default; a stuck page must fail the test, not hang it.
      page.setDefaultTimeout(20_000);
      // Providers' pages pull web fonts; nothing outside loopback is reachable in tests.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1|\[::1\]|localhost)/, (route) => route.abort());
      let blocked: string | undefined;
      let denied = false;
      const pages: string[] = [];
      const unreachable = options.unreachableOrigin;
      if (unreachable) {
        page.on("request", (r) => {
          if (r.url().startsWith(`${unreachable}/`)) blocked = r.url();
        });
      }
      let status: number | undefined;
      page.on("response", (r) => {
        if (r.request().isNavigationRequest() && r.request().frame() === page.mainFrame())
          status = r.status();
      });
      try {
        await page.goto(url, { waitUntil: "domcontentloaded" }).catch((err: unknown) => {
          if (!blocked) throw err;
        });
        for (let step = 0; step < 12; step++) {
          if (blocked) break;
          const here = new URL(page.url());
          pages.push(here.pathname);
          // After a refusal the provider has recorded it; what it shows next (the device flow's code form
          // again, with an error) is the last page.
          if (stopAt(here) || denied) break;
          if (await page.locator("input[name=login]").count()) {
            await page.fill("input[name=login]", options.login ?? "alice");
            await page.fill("input[name=password]", "any-password");
            await clickSubmit(page);
            continue;
          }
          if (options.deny) {
            // The consent page's "Cancel" link, or the device confirmation's "Abort" button.
            const cancel = page.getByRole("link", { name: /cancel/i }).first();
            const abort = page.getByRole("button", { name: /abort|cancel|deny/i }).first();
            const refuse = (await cancel.count()) ? cancel : (await abort.count()) ? abort : undefined;
            if (refuse) {
              await clickAndWait(page, refuse);
              denied = true;
              continue;
            }
          }
          if (options.userCode && (await page.locator("input[name=user_code]").count())) {
            await page.fill("input[name=user_code]", options.userCode);
          }
          if (await page.locator("button[type=submit]").count()) {
            await clickSubmit(page, options.deny ? undefined : /continue|sign-in|allow|confirm/i);
            continue;
          }
          // A form with nothing to click posts itself from script (oidc-provider's "Submitting Callback"
          // page, response_mode=form_post): goto returned at DOMContentLoaded, before that navigation. Wait
          // for it instead of taking the page for the last one (the suspected cause of device-flow tests
          // that waited for approval until they timed out on a loaded CI machine).
          if (await autoSubmits(page)) {
            await page
              .waitForNavigation({ waitUntil: "domcontentloaded", timeout: 10_000 })
              .catch(() => undefined);
            continue;
          }
          // A page with nothing to click: the provider's final page (device flow success, or an error).
          break;
        }
        if (blocked) {
          return { finalUrl: blocked, text: "This site can't be reached", status: undefined, pages };
        }
        const text = (await page.textContent("body").catch(() => "")) ?? "";
        return { finalUrl: page.url(), text, status, pages };
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}

export interface ConsentFlow {
  /** Pass as `openUrl` to `auth.login`: drives the browser through the URL. */
  openUrl(url: string): void;
  /** Pass as `signal` to `auth.login`: aborted with the browser's error when the browser fails. */
  signal: AbortSignal;
  /** Where the browser ended. */
  page: Promise<AuthorizeResult>;
}

/**
 * `openUrl` and `signal` for `auth.login` that drive this browser. When the browser fails, or (with
 * `expectText`) ends on a page that is not the expected one, the login stops with that error at once,
 * instead of polling until the device code expires.
 */
export function consentFlow(
  browser: ConsentBrowser,
  options: AuthorizeOptions & { expectText?: RegExp } = {},
): ConsentFlow {
  const abort = new AbortController();
  let settle: (r: Promise<AuthorizeResult>) => void = () => undefined;
  const page = new Promise<AuthorizeResult>((resolve) => {
    settle = resolve;
  });
  page.catch(() => undefined);
  return {
    signal: abort.signal,
    page,
    openUrl(url) {
      const run = browser.authorize(url, options).then((r) => {
        if (options.expectText && !options.expectText.test(r.text)) {
          throw new Error(
            `the browser ended on ${r.finalUrl}, after ${r.pages.join(" > ")}, not the expected page: ${r.text.replace(/\s+/g, " ").trim().slice(0, 300)}`,
          );
        }
        return r;
      });
      // The login reports the failure (through the signal); `page` need not be awaited as well.
      run.catch((err: unknown) => abort.abort(err));
      settle(run);
    },
  };
}
