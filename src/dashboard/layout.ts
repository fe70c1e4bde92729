/**
 * The page frame every dashboard view shares: one inline stylesheet (allowed by its hash in the
 * Content-Security-Policy, so no other inline style or any script can run), a skip link, the
 * navigation and the sign-out form. System fonts only: the machines have no internet.
 */
import { createHash } from "node:crypto";
import { html, trustedHtml, type HtmlValue, type SafeHtml } from "./html.js";

export const DASHBOARD_PREFIX = "/countersign";

const CSS =
  `
:root{color-scheme:light;--fg:#1f2328;--muted:#57606a;--link:#0550ae;--border:#d0d7de;--subtle:#f6f8fa;--focus:#0969da;` +
  `--danger:#b42318;--ok:#1a7f37;--warn:#7d4e00;--ai:#6639ba}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
a{color:var(--link);text-underline-offset:2px}
:focus-visible,input:focus,input:focus-within,select:focus{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;color:var(--link);padding:.5rem 1rem;z-index:10;border:2px solid var(--focus)}
.skip:focus{left:.5rem;top:.5rem}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.5rem;background:var(--subtle);` +
  `border-bottom:1px solid var(--border)}
header.top .brand{font-weight:700;font-size:1.05rem;color:var(--fg);text-decoration:none}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;margin:0;padding:0}
header.top nav a[aria-current=page]{font-weight:700;color:var(--fg)}
header.top form{margin-left:auto;display:flex;gap:.75rem;align-items:center}
header.top .who{color:var(--muted);font-size:.875rem}
a.button.github{background:#24292f;border-color:#24292f;color:#fff}
.or{text-align:center;color:var(--muted);margin:1rem 0}
main{max-width:1280px;margin:0 auto;padding:1rem 1.5rem 3rem}
main:focus{outline:none}
h1{font-size:1.45rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--border)}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.35rem 0;caption-side:top}
th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--border);vertical-align:top;overflow-wrap:break-word}
td ul{margin:0;padding-left:1.1rem}
.mono,code{overflow-wrap:anywhere}
thead th{background:var(--subtle);font-size:.85rem}
tbody th{font-weight:600}
tbody th .muted{font-weight:400}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;font-weight:600;border:1px solid transparent;` +
  `white-space:nowrap;line-height:1.6}
.badge.danger{color:#fff;background:var(--danger)}
.badge.ok{color:#fff;background:var(--ok)}
.badge.warn{color:#fff;background:var(--warn)}
.badge.ai{color:#fff;background:var(--ai)}
.badge.neutral{color:var(--fg);background:#fff;border-color:#8c959f}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:.75rem 1rem;padding:1rem;` +
  `background:var(--subtle);border:1px solid var(--border);border-radius:6px;margin-bottom:1rem}
form.filters .actions{display:flex;gap:.6rem;align-items:end;flex-wrap:wrap}
label{display:block;font-weight:600;font-size:.875rem;margin-bottom:.2rem}
input,select{font:inherit;width:100%;padding:.35rem .5rem;border:1px solid #6e7781;border-radius:6px;background:#fff;color:var(--fg)}
input[aria-invalid=true]{border:2px solid var(--danger)}
.hint{display:block;color:var(--muted);font-size:.8rem;margin-top:.15rem}
.field-error{display:block;color:var(--danger);font-size:.85rem;font-weight:600;margin-top:.15rem}
button,.button{font:inherit;font-weight:600;padding:.35rem 1rem;border-radius:6px;border:1px solid var(--ok);` +
  `background:var(--ok);color:#fff;cursor:pointer;text-decoration:none;display:inline-block;line-height:1.5}
button.secondary,.button.secondary{background:#fff;color:var(--fg);border-color:#6e7781}
.alert{border:1px solid var(--danger);border-left-width:6px;background:#fff;padding:.6rem 1rem;border-radius:6px;margin:0 0 1rem}
.notice{border:1px solid var(--border);border-left:6px solid var(--focus);padding:.6rem 1rem;border-radius:6px;margin:0 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:.75rem;margin:0 0 1rem;padding:0;list-style:none}
.cards li{border:1px solid var(--border);border-radius:6px;padding:.6rem .8rem}
.cards .value{display:block;font-size:1.55rem;font-weight:700;line-height:1.2}
.cards .what{display:block;color:var(--muted);font-size:.85rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:1rem}
.charts.single{max-width:760px;margin-bottom:1rem}
figure.chart{margin:0;border:1px solid var(--border);border-radius:6px;padding:.75rem 1rem}
figure.chart > svg{width:100%;height:auto;display:block}
svg.swatch{display:inline-block;vertical-align:-1px}
figure.chart h3{margin:0;font-size:1rem}
figure.chart figcaption p{margin:.15rem 0 .4rem;color:var(--muted);font-size:.875rem}
svg .tick{font-size:13px;fill:#57606a}
svg .label{font-size:14px;fill:#1f2328}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;margin:0 0 .25rem;font-size:.85rem}
details.data{margin-top:.4rem;font-size:.875rem}
details.data summary{cursor:pointer;color:var(--link)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.25rem;margin:0}
dl.facts dt{font-weight:600;color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.note{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font:inherit}
.pager{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.5rem 0 1rem}
.login{max-width:26rem;margin:3rem auto;border:1px solid var(--border);border-radius:8px;padding:1.5rem}
.login input{margin-bottom:1rem}
.inline{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}
.inline > div{flex:1 1 14rem}
.forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(360px,100%),1fr));gap:0 1rem}
form.filters.inline{display:flex}
@media (max-width:700px){main{padding:.75rem .75rem 2rem}header.top{padding:.6rem .75rem}header.top form{margin-left:0}
table{display:block;overflow-x:auto;max-width:100%}dl.facts{grid-template-columns:1fr;gap:0 0}dl.facts dd{margin-bottom:.4rem}}
`;

/** The hash that lets exactly this stylesheet through the Content-Security-Policy. */
export const STYLE_HASH = `sha256-${createHash("sha256").update(CSS, "utf8").digest("base64")}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src '${STYLE_HASH}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export type NavItem = "overview" | "merges" | "incidents" | "chain";

/** Who is signed in, for the header: the sign-out form's CSRF token, a name, and what they may open. */
export interface SignedIn {
  csrfToken: string;
  /** The GitHub login, or null for the audit token. */
  login: string | null;
  /** Token sessions see every repository and the audit chain; GitHub sessions their repositories only. */
  admin: boolean;
}

export interface PageFrame {
  title: string;
  /** Present when signed in: the navigation, who is signed in, and the sign-out form. */
  signedIn?: SignedIn;
  active?: NavItem;
  body: HtmlValue;
  /** A same-origin URL to go to at once (meta refresh; the dashboard runs no script). */
  refreshTo?: string;
}

export function page(frame: PageFrame): SafeHtml {
  const nav = (item: NavItem, href: string, label: string) =>
    html`<li><a href="${href}"${frame.active === item ? trustedHtml(' aria-current="page"') : null}>${label}</a></li>`;
  const signedInHeader = (signedIn: SignedIn) => {
    const navItems = [
      nav("overview", `${DASHBOARD_PREFIX}/`, "Overview"),
      nav("merges", `${DASHBOARD_PREFIX}/merges`, "Merges"),
      nav("incidents", `${DASHBOARD_PREFIX}/incidents`, "Incidents"),
      signedIn.admin ? nav("chain", `${DASHBOARD_PREFIX}/chain`, "Audit chain") : null,
    ];
    const who = signedIn.login === null ? html`Signed in with the audit token` : html`Signed in as <strong>${signedIn.login}</strong>`;
    return html`<header class="top">
  <a class="brand" href="${DASHBOARD_PREFIX}/">Countersign audit</a>
  <nav aria-label="Dashboard">
    <ul>${navItems}</ul>
  </nav>
  <form method="post" action="${DASHBOARD_PREFIX}/logout">
    <span class="who" id="signed-in-as">${who}</span>
    <input type="hidden" name="csrf" value="${signedIn.csrfToken}">
    <button type="submit" class="secondary">Sign out</button>
  </form>
</header>`;
  };
  const header =
    frame.signedIn !== undefined
      ? signedInHeader(frame.signedIn)
      : html`<header class="top"><span class="brand">Countersign audit</span></header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
${frame.refreshTo !== undefined ? html`<meta http-equiv="refresh" content="0;url=${frame.refreshTo}">` : null}
<title>${frame.title} · Countersign audit</title>
<style>${trustedHtml(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main" tabindex="-1">
${frame.body}
</main>
</body>
</html>`;
}

/** The dashboard's page for one merge. */
export function mergeHref(repo: string, prNumber: number): string {
  const [owner = "", name = ""] = repo.split("/");
  return `${DASHBOARD_PREFIX}/merges/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/${prNumber}`;
}

/** `2026-03-01 10:00 UTC` from an ISO-8601 instant (the trail's times are UTC). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function shortSha(sha: string | null | undefined, length = 10): string {
  return sha ? sha.slice(0, length) : "—";
}

/** A disclosure level as a badge: AI levels stand out, undisclosed is a warning. */
export function levelBadge(level: string): SafeHtml {
  const kind = level === "undisclosed" ? "danger" : level === "none" ? "neutral" : "ai";
  return html`<span class="badge ${kind}">${level}</span>`;
}

export function checkBadge(conclusion: string | null): SafeHtml {
  if (conclusion === "success") return html`<span class="badge ok">success</span>`;
  return html`<span class="badge ${conclusion ? "danger" : "warn"}">${conclusion ?? "no check"}</span>`;
}
