/**
 * The sign-in page: the AUDIT_API_TOKEN form (posted with the double-submit CSRF token) when a
 * token is configured, and "Sign in with GitHub" when GitHub sign-in is on.
 */
import { html, type SafeHtml } from "./html.js";
import { DASHBOARD_PREFIX, page, type SignedIn } from "./layout.js";

export interface LoginPageInput {
  /** The token form's CSRF token; null when token sign-in is off (no AUDIT_API_TOKEN). */
  csrfToken: string | null;
  /** Where to go after signing in (already checked to be a dashboard path). */
  next: string;
  /** Show "Sign in with GitHub" (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are set). */
  github: boolean;
  error?: string;
  notice?: string;
}

export function loginPage(input: LoginPageInput): SafeHtml {
  const githubHref = `${DASHBOARD_PREFIX}/auth/github?${new URLSearchParams({ next: input.next }).toString()}`;
  const tokenForm =
    input.csrfToken === null
      ? null
      : html`<form method="post" action="${DASHBOARD_PREFIX}/login">
    <input type="hidden" name="csrf" value="${input.csrfToken}">
    <input type="hidden" name="next" value="${input.next}">
    <input type="text" name="username" value="countersign-audit" autocomplete="username" hidden>
    <label for="token">Audit access token</label>
    <input id="token" name="token" type="password" required autocomplete="current-password" autofocus
      aria-describedby="token-hint${input.error ? " login-error" : ""}"${input.error ? html` aria-invalid="true"` : null}>
    <span class="hint" id="token-hint">The server's <code>AUDIT_API_TOKEN</code>. You stay signed in for 8 hours on this browser.</span>
    <p><button type="submit">Sign in</button></p>
  </form>`;
  const github = input.github
    ? html`${tokenForm ? html`<p class="or">or</p>` : null}
  <p><a class="button github" href="${githubHref}" id="github-sign-in">Sign in with GitHub</a></p>
  <p class="hint">You see the merges of the repositories you can read on GitHub, for 8 hours.</p>`
    : null;
  return page({
    title: "Sign in",
    body: html`<div class="login">
  <h1>Sign in to the audit dashboard</h1>
  ${input.error ? html`<div class="alert" role="alert" id="login-error">${input.error}</div>` : null}
  ${input.notice ? html`<div class="notice" role="status">${input.notice}</div>` : null}
  ${tokenForm}
  ${github}
</div>`,
  });
}

/** The answer to GitHub's callback: the session cookie is set, then the browser moves on by itself. */
export function signedInPage(input: { login: string; next: string }): SafeHtml {
  return page({
    title: "Signed in",
    refreshTo: input.next,
    body: html`<div class="login">
  <h1>Signed in as ${input.login}</h1>
  <p><a href="${input.next}" id="continue">Continue to the dashboard</a></p>
</div>`,
  });
}

/** A full page for refusals (403, 404, 500) that needs no data. */
export function messagePage(input: {
  title: string;
  message: string;
  signedIn?: SignedIn;
  link?: { href: string; label: string };
}): SafeHtml {
  return page({
    title: input.title,
    ...(input.signedIn !== undefined ? { signedIn: input.signedIn } : {}),
    body: html`<h1>${input.title}</h1>
<p>${input.message}</p>
${input.link ? html`<p><a href="${input.link.href}">${input.link.label}</a></p>` : null}`,
  });
}
