/** Requests to the dashboard over node:http, as a browser without scripts sends them. */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { TEST_TOKEN } from "./dashboard-server.js";

export interface Reply {
  status: number;
  location: string | null;
  cookies: string[];
  headers: IncomingHttpHeaders;
  text: string;
}

export async function request(
  server: { baseUrl: string },
  path: string,
  init: { method?: string; cookie?: string; form?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  let body = init.body;
  if (init.form) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  // node:http, not fetch: the jest setup loads nock, whose fetch interceptor mishandles POST bodies.
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(
      server.baseUrl + path,
      { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            location: res.headers.location ?? null,
            cookies: res.headers["set-cookie"] ?? [],
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export const cookieValue = (setCookies: string[], name: string) => {
  const line = setCookies.find((c) => c.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1).split(";")[0]! : undefined;
};
export const hiddenField = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** GET the sign-in form, then POST it: the browser's two steps. */
export async function signIn(
  server: { baseUrl: string },
  token = TEST_TOKEN,
  extra: { headers?: Record<string, string>; next?: string } = {},
) {
  const next = extra.next ? `?next=${encodeURIComponent(extra.next)}` : "";
  const form = await request(server, `/countersign/login${next}`, { headers: extra.headers ?? {} });
  const nonce = cookieValue(form.cookies, "countersign_login")!;
  const posted = await request(server, "/countersign/login", {
    cookie: `countersign_login=${nonce}`,
    form: { csrf: hiddenField(form.text, "csrf")!, next: hiddenField(form.text, "next")!, token },
    headers: extra.headers ?? {},
  });
  const session = cookieValue(posted.cookies, "countersign_session");
  return { form, posted, cookie: session ? `countersign_session=${session}` : "" };
}
