/**
 * Every provider profile, and the catalogue recipes that have none yet. The conformance suite fails when a
 * catalogue recipe with an oauth2 block or a static key is in neither list, or an aws_sigv4 recipe has no
 * profile, so a new recipe cannot ship without a simulator (or an explicit, visible entry here).
 */
import { airtable } from "./profiles/airtable.js";
import { asana } from "./profiles/asana.js";
import { atlassian, confluenceOAuth, jiraOAuth } from "./profiles/atlassian.js";
import { auth0Management } from "./profiles/auth0.js";
import { bitbucket } from "./profiles/bitbucket.js";
import { bluesky } from "./profiles/bluesky.js";
import { box } from "./profiles/box.js";
import { calendly } from "./profiles/calendly.js";
import { cloudflareAccountToken, cloudflareUserToken } from "./profiles/cloudflare.js";
import { discord } from "./profiles/discord.js";
import { docusign, docusignDemo } from "./profiles/docusign.js";
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
import { linearKey, linearOAuth } from "./profiles/linear.js";
import { linkedin } from "./profiles/linkedin.js";
import { mailchimpOAuth } from "./profiles/mailchimp.js";
import { microsoftGraph, microsoftGraphFamily, microsoftGraphSingleTenant } from "./profiles/microsoft.js";
import { microsoftGraphApp } from "./profiles/microsoft-app.js";
import { mondayOAuth, mondayToken } from "./profiles/monday.js";
import { mongodbAtlas } from "./profiles/mongodb-atlas.js";
import { notionOAuth, notionToken } from "./profiles/notion.js";
import { paypal, paypalSandbox } from "./profiles/paypal.js";
import { pipedrive } from "./profiles/pipedrive.js";
import { plaidSandbox } from "./profiles/plaid.js";
import { quickbooks, quickbooksSandbox } from "./profiles/quickbooks.js";
import { reddit } from "./profiles/reddit.js";
import { s3Profiles } from "./profiles/s3.js";
import { salesforce, salesforceSandbox } from "./profiles/salesforce.js";
import { slackBotToken, slackOAuth } from "./profiles/slack.js";
import { spotify } from "./profiles/spotify.js";
import { spotifyApp } from "./profiles/spotify-app.js";
import { staticKeyProfiles } from "./profiles/static-keys.js";
import { strava } from "./profiles/strava.js";
import { supabaseUser } from "./profiles/supabase.js";
import { telegram } from "./profiles/telegram.js";
import { todoist } from "./profiles/todoist.js";
import { trakt } from "./profiles/trakt.js";
import { twitch } from "./profiles/twitch.js";
import { twitchApp } from "./profiles/twitch-app.js";
import { typeformOAuth } from "./profiles/typeform.js";
import { uptimerobot } from "./profiles/uptimerobot.js";
import { wrikeOAuth } from "./profiles/wrike.js";
import { x } from "./profiles/x.js";
import { xero } from "./profiles/xero.js";
import { zohoCrm } from "./profiles/zoho.js";
import { zoom } from "./profiles/zoom.js";
import type {
  ClientCredentialsProfile,
  ExchangeProfile,
  OAuthProfile,
  SigV4Profile,
  StaticKeyProfile,
} from "./simulator.js";

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
  { name: "linear OAuth2 application", profile: linearOAuth },
  { name: "monday OAuth app", profile: mondayOAuth },
  { name: "typeform OAuth app", profile: typeformOAuth },
  { name: "zoom general OAuth app", profile: zoom },
  { name: "salesforce sandbox (test.salesforce.com)", profile: salesforceSandbox },
  { name: "jira over an atlassian 3LO app", profile: jiraOAuth },
  { name: "confluence over an atlassian 3LO app", profile: confluenceOAuth },
  { name: "xero web app", profile: xero },
  { name: "pipedrive private app", profile: pipedrive },
  { name: "strava API application", profile: strava },
  { name: "linkedin app (OpenID Connect)", profile: linkedin },
  { name: "eventbrite app (server-side flow)", profile: eventbrite },
  { name: "zoho_crm server-based client (US data centre)", profile: zohoCrm },
  { name: "twitch application (user token, Client-Id beside it)", profile: twitch },
  { name: "trakt API application (user token, trakt-api-key beside it)", profile: trakt },
  { name: "quickbooks_sandbox app (realmId from the redirect)", profile: quickbooksSandbox },
  { name: "mailchimp OAuth 2 app (data centre from the metadata)", profile: mailchimpOAuth },
  { name: "wrike OAuth 2.0 app (data center host from the token answer)", profile: wrikeOAuth },
  { name: "docusign integration key (account and server from userinfo)", profile: docusign },
  { name: "docusign_demo integration key (developer environment)", profile: docusignDemo },
];

/**
 * Providers whose OAuth redirect must be https: a loopback sign-in cannot work, and the recipe says so
 * (`https_redirect_only`); the suite checks that setup refuses clearly before any request.
 */
export const HTTPS_ONLY_PROFILES: Array<{ name: string; profile: OAuthProfile }> = [
  { name: "intercom public app", profile: intercomOAuth },
  { name: "freshbooks app", profile: freshbooks },
  { name: "quickbooks production app", profile: quickbooks },
];

/** `grant: client_credentials` recipes: no person, the client's own id and secret (conformance suite). */
export const CLIENT_CREDENTIALS_PROFILES: Array<{ name: string; profile: ClientCredentialsProfile }> = [
  { name: "paypal REST API app (live)", profile: paypal },
  { name: "paypal_sandbox REST API app", profile: paypalSandbox },
  { name: "auth0_management machine-to-machine application", profile: auth0Management },
  { name: "spotify_app client credentials", profile: spotifyApp },
  { name: "microsoft_graph_app client credentials (app-only)", profile: microsoftGraphApp },
  { name: "twitch_app app access token (Client-Id beside it)", profile: twitchApp },
];

export const STATIC_KEY_PROFILES: Array<{ name: string; profile: StaticKeyProfile }> = [
  { name: "github personal access token", profile: githubToken },
  { name: "slack bot token", profile: slackBotToken },
  { name: "notion internal integration token", profile: notionToken },
  { name: "figma personal access token", profile: figmaToken },
  { name: "hubspot private app token", profile: hubspotToken },
  { name: "intercom access token", profile: intercomToken },
  { name: "telegram bot token", profile: telegram },
  { name: "cloudflare user API token", profile: cloudflareUserToken },
  { name: "cloudflare account API token", profile: cloudflareAccountToken },
  { name: "linear personal API key", profile: linearKey },
  { name: "monday personal API token", profile: mondayToken },
  ...staticKeyProfiles.map((profile) => ({ name: profile.recipe, profile })),
  { name: "uptimerobot (api_key in the form body)", profile: uptimerobot },
  { name: "plaid sandbox (client_id and secret in the JSON body)", profile: plaidSandbox },
];

/** aws_sigv4 recipes (Amazon S3 and the S3-compatible stores): SigV4 recomputed by the simulator. */
export const SIGV4_PROFILES: Array<{ name: string; profile: SigV4Profile }> = [...s3Profiles];

/**
 * Challenge-response and login-exchange recipes (http_digest, session): the simulator issues the challenge
 * or the session and refuses a wrong password and a replay.
 */
export const EXCHANGE_PROFILES: Array<{ name: string; profile: ExchangeProfile }> = [
  { name: "mongodb_atlas API key pair (HTTP Digest)", profile: mongodbAtlas },
  { name: "bluesky app password (session login)", profile: bluesky },
  { name: "supabase_user e-mail and password (session login)", profile: supabaseUser },
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
};

/**
 * Catalogue recipes (oauth2 block, or a static key primitive) without a profile yet. OAuth: their redirect
 * rules (exact registered URI or any loopback port) were not settled from the providers' pages in this
 * pass. Static keys: none left. line_notify, which ended, is in ENDED_STATIC_KEY_PROFILES.
 */
export const MISSING_OAUTH: string[] = [];
export const MISSING_STATIC_KEY: string[] = [];
