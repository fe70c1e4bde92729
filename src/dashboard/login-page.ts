/** The sign-in form: AUDIT_API_TOKEN, posted with the double-submit CSRF token. */
import { html, type SafeHtml } from "./html.js";
import { DASHBOARD_PREFIX, page } from "./layout.js";

export interface LoginPageInput {
  csrfToken: string;
  /** Where to go after signing in (already checked to be a dashboard path). */
  next: string;
  error?: string;
  notice?: string;
}

export function loginPage(input: LoginPageInput): SafeHtml {
  return page({
    title: "Sign in",
    body: html`<div class="login">
  <h1>Sign in to the audit dashboard</h1>
  ${input.error ? html`<div class="alert" role="alert" id="login-error">${input.error}</div>` : null}
  ${input.notice ? html`<div class="notice" role="status">${input.notice}</div>` : null}
  <form method="post" action="${DASHBOARD_PREFIX}/login">
    <input type="hidden" name="csrf" value="${input.csrfToken}">
    <input type="hidden" name="next" value="${input.next}">
    <input type="text" name="username" value="countersign-audit" autocomplete="username" hidden>
    <label for="token">Audit access token</label>
    <input id="token" name="token" type="password" required autocomplete="current-password" autofocus
      aria-describedby="token-hint${input.error ? " login-error" : ""}"${input.error ? html` aria-invalid="true"` : null}>
    <span class="hint" id="token-hint">The server's <code>AUDIT_API_TOKEN</code>. You stay signed in for 8 hours on this browser.</span>
    <p><button type="submit">Sign in</button></p>
  </form>
</div>`,
  });
}

/** A full page for refusals (403, 404, 500) that needs no data. */
export function messagePage(input: { title: string; message: string; csrfToken?: string; link?: { href: string; label: string } }): SafeHtml {
  return page({
    title: input.title,
    ...(input.csrfToken !== undefined ? { csrfToken: input.csrfToken } : {}),
    body: html`<h1>${input.title}</h1>
<p>${input.message}</p>
${input.link ? html`<p><a href="${input.link.href}">${input.link.label}</a></p>` : null}`,
  });
}
