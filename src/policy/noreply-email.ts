/** GitHub's no-reply commit emails name the account: `<id>+<login>@users.noreply.github.com`. */

/** The login a GitHub no-reply email stands for (bots keep their `[bot]` suffix), or null. */
export function loginFromEmail(email: string | null | undefined): string | null {
  const m = /^(?:\d+\+)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?)@users\.noreply\.github\.com$/i.exec(email ?? "");
  return m ? m[1]! : null;
}
