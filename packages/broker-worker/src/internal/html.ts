import type { BrokerError } from "./errors.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a person sees in their browser when a sign-in step fails: what happened, and what to do. */
export function errorPage(err: BrokerError): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>arcrun sign-in failed</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.4rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}.code{color:#777;font-size:.85rem}
</style>
</head>
<body>
<h1>Sign-in could not be completed</h1>
<p>${escapeHtml(err.message)}</p>
<p><strong>What to do:</strong> ${escapeHtml(err.next)}</p>
<p class="code">Error code: <code>${escapeHtml(err.error)}</code></p>
</body>
</html>
`;
}
