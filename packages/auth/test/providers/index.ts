/**
 * Every provider profile, and the catalogue recipes that have none yet. The conformance suite fails when a
 * catalogue recipe with an oauth2 block or a static key is in neither list, so a new recipe cannot ship
 * without a simulator (or an explicit, visible entry here).
 */
import { airtable } from "./profiles/airtable.js";
import { asana } from "./profiles/asana.js";
import { atlassian } from "./profiles/atlassian.js";
import { bitbucket } from "./profiles/bitbucket.js";
import { box } from "./profiles/box.js";
import { calendly } from "./profiles/calendly.js";
import { discord } from "./profiles/discord.js";
import { dropbox } from "./profiles/dropbox.js";
import { eventbrite } from "./profiles/eventbrite.js";
import { figmaOAuth, figmaToken } from "./profiles/figma.js";
import { freshbooks } from "./profiles/freshbooks.js";
import { githubApp, githubOAuthApp, githubToken } from "./profiles/github.js";
import { gitlab } from "./profiles/gitlab.js";
import { googleProfiles } from "./profiles/google.js";
import { hubspotOAuth, hubspotToken } from "./profiles/hubspot.js";
import { intercomOAuth, intercomToken } from "./profiles/intercom.js";
import { lineNotify } from "./profiles/line-notify.js";
import { linkedin } from "./profiles/linkedin.js";
import { microsoftGraph, microsoftGraphFamily, microsoftGraphSingleTenant } from "./profiles/microsoft.js";
import { notionOAuth, notionToken } from "./profiles/notion.js";
import { pipedrive } from "./profiles/pipedrive.js";
import { reddit } from "./profiles/reddit.js";
import { salesforce } from "./profiles/salesforce.js";
import { slackBotToken, slackOAuth } from "./profiles/slack.js";
import { spotify } from "./profiles/spotify.js";
import { staticKeyProfiles } from "./profiles/static-keys.js";
import { strava } from "./profiles/strava.js";
import { telegram } from "./profiles/telegram.js";
import { todoist } from "./profiles/todoist.js";
import { x } from "./profiles/x.js";
import { xero } from "./profiles/xero.js";
import { zohoCrm } from "./profiles/zoho.js";
import type { OAuthProfile, StaticKeyProfile } from "./simulator.js";

export const OAUTH_PROFILES: Array<{ name: string; profile: OAuthProfile }> = [
  { name: "github OAuth app", profile: githubOAuthApp },
  { name: "github GitHub App user token", profile: githubApp },
  { name: "microsoft_graph", profile: microsoftGraph },
  { name: "microsoft_graph single-tenant registration", profile: microsoftGraphSingleTenant },
  ...microsoftGraphFamily.map((profile) => ({ name: profile.recipe, profile })),
  ...googleProfiles.map((profile) => ({ name: profile.recipe, profile })),
  { name: "slack user token (PKCE)", profile: slackOAuth },
  { name: "notion public connection", profile: notionOAuth },
  { name: "figma OAuth app", profile: figmaOAuth },
  { name: "hubspot OAuth app", profile: hubspotOAuth },
  { name: "salesforce connected app", profile: salesforce },
  { name: "dropbox scoped app", profile: dropbox },
  { name: "atlassian 3LO app", profile: atlassian },
  { name: "reddit web app", profile: reddit },
  { name: "spotify PKCE app", profile: spotify },
  { name: "x OAuth 2.0 app", profile: x },
  { name: "box custom app", profile: box },
  { name: "gitlab OAuth application", profile: gitlab },
  { name: "todoist OAuth app", profile: todoist },
  { name: "airtable OAuth integration", profile: airtable },
  { name: "asana OAuth app", profile: asana },
  { name: "bitbucket OAuth consumer", profile: bitbucket },
  { name: "calendly OAuth app (Sandbox)", profile: calendly },
  { name: "discord OAuth2 application", profile: discord },
  { name: "xero web app", profile: xero },
  { name: "pipedrive private app", profile: pipedrive },
  { name: "strava API application", profile: strava },
  { name: "linkedin app (OpenID Connect)", profile: linkedin },
  { name: "eventbrite app (server-side flow)", profile: eventbrite },
  { name: "zoho_crm server-based client (US data centre)", profile: zohoCrm },
];

/**
 * Providers whose OAuth redirect must be https: a loopback sign-in cannot work, and the recipe says so
 * (`https_redirect_only`); the suite checks that setup refuses clearly before any request.
 */
export const HTTPS_ONLY_PROFILES: Array<{ name: string; profile: OAuthProfile }> = [
  { name: "intercom public app", profile: intercomOAuth },
  { name: "freshbooks app", profile: freshbooks },
];

export const STATIC_KEY_PROFILES: Array<{ name: string; profile: StaticKeyProfile }> = [
  { name: "github personal access token", profile: githubToken },
  { name: "slack bot token", profile: slackBotToken },
  { name: "notion internal integration token", profile: notionToken },
  { name: "figma personal access token", profile: figmaToken },
  { name: "hubspot private app token", profile: hubspotToken },
  { name: "intercom access token", profile: intercomToken },
  { name: "telegram bot token", profile: telegram },
  ...staticKeyProfiles.map((profile) => ({ name: profile.recipe, profile })),
];

/**
 * Static-key services that ended: the recipe stays so that old scripts fail with the provider's answer, and
 * the suite checks that setup fails with any key and saves nothing.
 */
export const ENDED_STATIC_KEY_PROFILES: Array<{ name: string; profile: StaticKeyProfile }> = [
  { name: "line_notify (ended 2025-03-31)", profile: lineNotify },
];

/**
 * Profiles (by name) or single steps (`<name> > <step title>`) whose rules the library or the shipped recipe
 * does not meet yet, with the reason. They run as `it.fails`: when the gap is closed they start failing,
 * and the entry must go.
 */
export const KNOWN_GAPS: Record<string, string> = {
  // Remove an entry to see the failure it stands for.
  "freshbooks app":
    "for an oauth2-only recipe without a device flow, the https-only refusal names no arcrun command to run next (it offers --device, which FreshBooks has not, or a broker client, which it has not either)",
};

/**
 * Catalogue recipes (oauth2 block, or a static key primitive) without a profile yet. OAuth: their redirect
 * rules (exact registered URI or any loopback port) were not settled from the providers' pages in this
 * pass. Static keys: cloudflare (account tokens verify at /accounts/{id}/tokens/verify, which the recipe
 * does not use yet), linear and monday (GraphQL APIs whose answer to a bad key, status or body, was not
 * settled). line_notify, which ended, is in ENDED_STATIC_KEY_PROFILES.
 */
export const MISSING_OAUTH: string[] = ["linear", "monday", "typeform", "zoom"];
export const MISSING_STATIC_KEY: string[] = ["cloudflare", "linear", "monday"];
