import fc from "fast-check";
import { DEFAULT_CONFIG } from "../../src/policy/config.js";
import { noteEditedByOther, noteTemplate, parseUnderstandingNote } from "../../src/policy/review-note.js";

const req = DEFAULT_CONFIG.review;
const ITEMS = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back`;

describe("parseUnderstandingNote", () => {
  test.each([
    [
      "checklist and a real statement",
      `${ITEMS}\nVerified: ran the migration against a staging snapshot and read every hunk in src/billing`,
      true,
      [],
    ],
    [
      "bold label, CRLF, capital X",
      `- [X] I can explain what this change does and why.\r\n` +
        `- [X] **I checked its failure modes and how to roll it back**\r\n` +
        `**Verified:** replayed last week's webhook traffic against the branch and compared outputs`,
      true,
      [],
    ],
    [
      "statement continues on the next line",
      `${ITEMS}\nVerified: read the diff of the retry loop,\nran the flaky test 50 times locally`,
      true,
      [],
    ],
    ["no note at all", "LGTM", false, [/not ticked/, /no `Verified:`/]],
    ["filler statement", `${ITEMS}\nVerified: LGTM, looks good to me, ship it, tested`, false, [/says nothing/]],
    ["template placeholder left in", `${ITEMS}\nVerified: <what you ran, read or asked, at least 40 characters>`, false, [/says nothing/]],
    ["too short", `${ITEMS}\nVerified: ran the unit tests`, false, [/is 18 characters; at least 40/]],
    [
      "one item unticked",
      `- [x] I can explain what this change does and why\n- [ ] I checked its failure modes and how to roll it back\n` +
        `Verified: ran the migration against a staging snapshot twice`,
      false,
      [/"I checked its failure modes/],
    ],
    [
      "checklist inside a code block does not count",
      "```\n" + ITEMS + "\n```\nVerified: ran the migration against a staging snapshot and compared",
      false,
      [/not ticked/],
    ],
    [
      "checklist inside an HTML comment does not count",
      `<!--\n${ITEMS}\n-->\nVerified: ran the migration against a staging snapshot and compared`,
      false,
      [/not ticked/],
    ],
    ["one word repeated", `${ITEMS}\nVerified: checked checked checked checked checked checked checked checked`, false, [/says nothing/]],
  ])("%s", (_name, body, ok, problems) => {
    const note = parseUnderstandingNote(body, req);
    expect(note.ok).toBe(ok);
    for (const p of problems as RegExp[]) expect(note.problems.join("\n")).toMatch(p);
    if (ok) expect(note.problems).toEqual([]);
  });

  test("null and empty bodies are not notes", () => {
    expect(parseUnderstandingNote(null, req)).toMatchObject({ ok: false, verified: null, checked: [] });
    expect(parseUnderstandingNote("", req).missing).toEqual(req.checklist);
  });

  test("the configured checklist and length apply", () => {
    const custom = { checklist: ["I ran it locally"], min_note_length: 10 };
    expect(parseUnderstandingNote("- [x] I ran it locally\nVerified: curl against /healthz", custom).ok).toBe(true);
    expect(parseUnderstandingNote(`${ITEMS}\nVerified: curl against /healthz`, custom).ok).toBe(false);
  });

  test("the template the check shows, once filled in, is a valid note", () => {
    const filled = noteTemplate(req).replace(/<[^>]+>/, "read the whole diff and ran the integration suite against staging");
    expect(parseUnderstandingNote(filled, req).ok).toBe(true);
    expect(parseUnderstandingNote(noteTemplate(req), req).ok).toBe(false);
  });

  test("property: never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => typeof parseUnderstandingNote(s, req).ok === "boolean"),
      { numRuns: 500 },
    );
  });
});

describe("noteEditedByOther: a note is the reviewer's own words", () => {
  const user = { login: "Plat-Dev" };
  test.each([
    ["never edited", {}, null],
    ["edited by the reviewer (any case)", { lastEditedAt: "2026-01-02T03:04:05Z", editedBy: "plat-dev" }, null],
    [
      "edited by someone else",
      { lastEditedAt: "2026-01-02T03:04:05Z", editedBy: "mallory" },
      /note edited by @mallory \(2026-01-02T03:04:05Z\)/,
    ],
    ["an editor without a time (a webhook sender)", { editedBy: "mallory" }, /note edited by @mallory;/],
    ["edited, editor unknown", { lastEditedAt: "2026-01-02T03:04:05Z", editedBy: null }, /by an account GitHub does not name/],
  ])("%s", (_name, edit, expected) => {
    const reason = noteEditedByOther({ user, ...edit });
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});
