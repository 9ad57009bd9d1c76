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
import { type Browser, chromium, type Page } from "playwright-core";

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
}

export interface ConsentBrowser {
  /** Runs one sign-in in a fresh browser context (no cookies shared between calls). */
  authorize(url: string, options?: AuthorizeOptions): Promise<AuthorizeResult>;
  close(): Promise<void>;
}

async function clickSubmit(page: Page, label?: RegExp): Promise<void> {
  const button = label
    ? page.getByRole("button", { name: label }).first()
    : page.locator("button[type=submit]").first();
  await Promise.all([
    page.waitForNavigation({ waitUntil: "domcontentloaded" }).catch(() => undefined),
    button.click(),
  ]);
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
      // Providers' pages pull web fonts; nothing outside loopback is reachable in tests.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1|\[::1\]|localhost)/, (route) => route.abort());
      let blocked: string | undefined;
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
          if (stopAt(here)) break;
          if (await page.locator("input[name=login]").count()) {
            await page.fill("input[name=login]", options.login ?? "alice");
            await page.fill("input[name=password]", "any-password");
            await clickSubmit(page);
            continue;
          }
          if (options.deny) {
            const cancel = page.getByRole("link", { name: /cancel/i }).first();
            if (await cancel.count()) {
              await Promise.all([
                page.waitForNavigation({ waitUntil: "domcontentloaded" }).catch(() => undefined),
                cancel.click(),
              ]);
              continue;
            }
            const abort = page.getByRole("button", { name: /abort|cancel|deny/i }).first();
            if (await abort.count()) {
              await Promise.all([
                page.waitForNavigation({ waitUntil: "domcontentloaded" }).catch(() => undefined),
                abort.click(),
              ]);
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
          // A page with nothing to click: the provider's final page (device flow success, or an error).
          break;
        }
        if (blocked) return { finalUrl: blocked, text: "This site can't be reached", status: undefined };
        return { finalUrl: page.url(), text: (await page.textContent("body").catch(() => "")) ?? "", status };
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
