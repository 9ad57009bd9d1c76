/**
 * Every provider profile, and the catalogue recipes that have none yet. The conformance suite fails when a
 * catalogue recipe with an oauth2 block or a static key is in neither list, so a new recipe cannot ship
 * without a simulator (or an explicit, visible entry here).
 */
import { githubApp, githubOAuthApp, githubToken } from "./profiles/github.js";
import { googleProfiles } from "./profiles/google.js";
import { microsoftGraph } from "./profiles/microsoft.js";
import type { OAuthProfile, StaticKeyProfile } from "./simulator.js";

export const OAUTH_PROFILES: Array<{ name: string; profile: OAuthProfile }> = [
  { name: "github OAuth app", profile: githubOAuthApp },
  { name: "github GitHub App user token", profile: githubApp },
  { name: "microsoft_graph", profile: microsoftGraph },
  ...googleProfiles.map((profile) => ({ name: profile.recipe, profile })),
];

export const STATIC_KEY_PROFILES: Array<{ name: string; profile: StaticKeyProfile }> = [
  { name: "github personal access token", profile: githubToken },
];

/**
 * Profiles whose rules the library or the shipped recipe does not meet yet, with the reason. Their tests
 * run as `it.fails`: when the gap is closed they start failing, and the entry must go.
 */
export const KNOWN_GAPS: Record<string, string> = {
  // Remove an entry to see the failure it stands for.
  "github OAuth app":
    "the bound client sends no User-Agent and api.github.com refuses such requests (the default User-Agent is issue 15's work)",
  "github GitHub App user token":
    "the bound client sends no User-Agent and api.github.com refuses such requests (the default User-Agent is issue 15's work)",
  "github personal access token":
    "the bound client sends no User-Agent and api.github.com refuses such requests (the default User-Agent is issue 15's work)",
};

/** Catalogue recipes (oauth2 block, or a static key primitive) without a profile yet. */
export const MISSING_OAUTH: string[] = [
  "airtable",
  "asana",
  "atlassian",
  "bitbucket",
  "box",
  "calendly",
  "discord",
  "dropbox",
  "figma",
  "gitlab",
  "hubspot",
  "intercom",
  "linear",
  "monday",
  "notion",
  "reddit",
  "salesforce",
  "slack",
  "spotify",
  "todoist",
  "typeform",
  "x",
  "zoom",
];
export const MISSING_STATIC_KEY: string[] = [
  "airtable",
  "anthropic",
  "asana",
  "bitbucket",
  "brevo",
  "calendly",
  "clickup",
  "cloudflare",
  "cohere",
  "confluence",
  "deepl",
  "digitalocean",
  "discord",
  "elevenlabs",
  "figma",
  "gemini",
  "gitlab",
  "groq",
  "hubspot",
  "huggingface",
  "intercom",
  "jira",
  "line_messaging",
  "line_notify",
  "linear",
  "mailgun",
  "mistral",
  "monday",
  "netlify",
  "notion",
  "openai",
  "openrouter",
  "pagerduty",
  "pinecone",
  "postmark",
  "replicate",
  "resend",
  "sendgrid",
  "sentry",
  "shopify",
  "slack",
  "stripe",
  "supabase",
  "telegram",
  "todoist",
  "trello",
  "twilio",
  "typeform",
  "vercel",
  "zendesk",
];
