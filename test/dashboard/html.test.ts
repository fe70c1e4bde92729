/**
 * The `html` tagged template is the dashboard's only way to put data into markup. PR titles,
 * review notes, paths and tool names are attacker-controlled: every hostile string must come out
 * as inert text, in element content and inside double- or single-quoted attributes.
 */
import fc from "fast-check";
import { escapeHtml, html, joinHtml, SafeHtml, trustedHtml } from "../../src/dashboard/html.js";

const HOSTILE = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `' onmouseover='alert(1)`,
  `</textarea><script>alert(1)</script>`,
  `<!--`,
  `]]><svg onload=alert(1)>`,
  `&lt;script&gt;`,
  `javascript:alert(1)`,
  `\u2028\u2029<b>`,
  `<a href="//evil.example">x</a>`,
];

test.each(HOSTILE)("escapes %j in text and attributes", (hostile) => {
  const out = html`<p title="${hostile}" data-x='${hostile}'>${hostile}</p>`.value;
  const inner = out.slice(out.indexOf(">") + 1, out.lastIndexOf("</p>"));
  expect(inner).not.toMatch(/[<>"']/);
  // Nothing in the attribute values can close the attribute or open a tag.
  const title = /title="([^"]*)"/.exec(out)![1]!;
  const data = /data-x='([^']*)'/.exec(out)![1]!;
  for (const v of [title, data, inner]) expect(v).not.toMatch(/[<>"']/);
  // And it decodes back to exactly the input.
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
  expect(decode(inner)).toBe(hostile);
  expect(decode(title)).toBe(hostile);
});

test("escapes all five significant characters, ampersands first (no double-decoding)", () => {
  expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  expect(escapeHtml("&amp;")).toBe("&amp;amp;");
});

test("nested templates and arrays are trusted once; their data was escaped where it was interpolated", () => {
  const items = ["<i>a</i>", "b & c"];
  const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
  expect(out).toBeInstanceOf(SafeHtml);
  expect(out.value).toBe("<ul><li>&lt;i&gt;a&lt;/i&gt;</li><li>b &amp; c</li></ul>");
});

test("null, undefined and booleans render nothing; numbers render as text", () => {
  expect(html`[${null}${undefined}${false}${true}${0}${42n}]`.value).toBe("[042]");
});

test("a plain object or string that merely looks like SafeHtml is still escaped", () => {
  const fake = { value: "<script>" } as unknown as string;
  expect(html`${fake}`.value).toBe("[object Object]");
  expect(html`${"<b>" as string}`.value).toBe("&lt;b&gt;");
});

test("trustedHtml and joinHtml: constants pass through, separators and parts are escaped", () => {
  expect(html`${trustedHtml("<br>")}`.value).toBe("<br>");
  expect(joinHtml(["<a>", html`<b>x</b>`], " & ").value).toBe("&lt;a&gt; &amp; <b>x</b>");
});

test("property: no string produces a tag, a closing quote or a raw ampersand", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => {
      const out = html`<td title="${s}">${s}</td>`.value;
      const body = out.slice('<td title="'.length, out.length - "</td>".length);
      expect(body.replace(/^[^"]*">/, "")).not.toMatch(/[<>"']/);
      expect(out.match(/"/g)!.length).toBe(2);
      expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    }),
    { numRuns: 500 },
  );
});
