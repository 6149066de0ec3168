// What the editor's "New lesson or exercise" form checks before it asks the server for the
// scaffold (authoring.views_editor.scaffold_new, courses.scaffold), and the words of its
// answer. The slug rule is the server's, so a bad slug is explained at once instead of
// after a round trip; the server still checks everything. No DOM, for node's test runner.

export const KINDS = ["lesson", "exercise"];
// courses.scaffold.SLUG: lowercase letters and digits, single hyphens between them.
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// scaffold_new reads at most 60 bytes of slug and 180 of title (courses.scaffold.TITLE_MAX);
// past that its refusal reads "slug is over 0 KiB", so the form says it first.
export const SLUG_MAX = 60;
export const TITLE_MAX = 180;

/** Where the scaffold puts each kind (courses.scaffold.new_lesson, new_exercise). */
export const KIND_HINTS = {
  lesson: "Goes at the end of the study path, with its checkpoint quiz. Committed to the branch at once.",
  exercise: "Listed in the last lesson of the study path. Committed to the branch at once.",
};

const RULE = "A slug is lowercase letters a-z and digits, with single hyphens between them";

const utf8Length = (text) => new TextEncoder().encode(text).length;

/** A slug made from any text: "Gradient Step!" -> "gradient-step" ("" when nothing is left). */
export function suggestSlug(text) {
  return String(text ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // the accents NFKD split off: "é" -> "e"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, "");
}

/** Why `slug` cannot name a new lesson or exercise, in a sentence; null when it can. */
export function slugProblem(slug, kind = "lesson") {
  const text = String(slug ?? "");
  if (!text) return `Give the ${kind} a slug, such as "gradient-step": ${RULE.charAt(0).toLowerCase()}${RULE.slice(1)}.`;
  if (text.length > SLUG_MAX) return `The slug has ${text.length} characters; at most ${SLUG_MAX}.`;
  if (SLUG.test(text)) return null;
  let what;
  if (text !== text.toLowerCase()) what = "it has capital letters";
  else if (/\s/.test(text)) what = "it has spaces";
  else if (/_/.test(text)) what = "it has underscores";
  else if (/^-|-$/.test(text)) what = "it starts or ends with a hyphen";
  else if (/--/.test(text)) what = "it has two hyphens in a row";
  else what = "it has characters other than lowercase letters, digits and hyphens";
  const suggestion = suggestSlug(text);
  const hint = suggestion && suggestion !== text ? ` Try "${suggestion}".` : "";
  return `"${text}" is not a valid slug: ${what}. ${RULE}.${hint}`;
}

/** Why `title` cannot be the title, or null; an empty title is fine (see defaultTitle). */
export function titleProblem(title) {
  const text = String(title ?? "");
  if (/[\r\n]/.test(text)) return "The title must be one line.";
  if (text.length > TITLE_MAX) return `The title has ${text.length} characters; at most ${TITLE_MAX}.`;
  const bytes = utf8Length(text);
  if (bytes > TITLE_MAX) {
    return `The title is too long: at most ${TITLE_MAX} bytes, and it has ${bytes} (accented letters and other symbols take 2 to 4 bytes each).`;
  }
  return null;
}

/** The title the server gives when none is given (courses.scaffold.default_title). */
export function defaultTitle(slug) {
  const words = String(slug ?? "").replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

/**
 * The file of the course (one of `paths`) that already holds a lesson or exercise `slug`,
 * or null: what the scaffold refuses, found before asking. `slug` must be valid.
 */
export function takenBy(kind, slug, paths) {
  const list = Array.isArray(paths) ? paths.map(String) : [];
  if (kind === "exercise") return list.find((p) => p.startsWith(`exercises/${slug}/`)) || null;
  // A lesson's file is lessons/NN-<slug>.md, and its checkpoint quiz is named after it.
  const lesson = new RegExp(`^lessons/(?:\\d+-)?${slug}\\.md$`);
  return list.find((p) => lesson.test(p) || p === `quizzes/${slug}.yaml`) || null;
}

/**
 * The form's fields checked together: {field, message} for the first one that is wrong
 * ("kind", "slug" or "title"), or null. Slug and title are taken as typed, trimmed.
 */
export function checkNewFile({ kind, slug, title = "", paths = [] }) {
  if (!KINDS.includes(kind)) return { field: "kind", message: "Choose whether to create a lesson or an exercise." };
  const name = String(slug ?? "").trim();
  const slugWrong = slugProblem(name, kind);
  if (slugWrong) return { field: "slug", message: slugWrong };
  const taken = takenBy(kind, name, paths);
  if (taken) {
    const quiz = kind === "lesson" && taken.startsWith("quizzes/");
    return {
      field: "slug",
      message: quiz
        ? `The course already has a quiz "${name}" (${taken}), and a lesson's checkpoint quiz is named after the lesson: choose another slug.`
        : kind === "lesson"
          ? `The course already has a lesson "${name}" (${taken}): choose another slug.`
          : `The course already has an exercise "${name}" (exercises/${name}/): choose another slug.`,
    };
  }
  const titleWrong = titleProblem(String(title ?? "").trim());
  if (titleWrong) return { field: "title", message: titleWrong };
  return null;
}

/** The JSON the scaffold endpoint takes. */
export function scaffoldBody({ kind, slug, title = "", base }) {
  return { kind, slug: String(slug ?? "").trim(), title: String(title ?? "").trim(), base: String(base ?? "") };
}

export const shortSha = (sha) => String(sha ?? "").slice(0, 7);

/**
 * What the page says once the server committed a scaffold, as parts for renderParts
 * (commit-notice.js): text, and links ({href, text}; {reload: true} for this page).
 */
export function createdParts({ kind, slug, commit, syncUrl = "" }) {
  const head = `Created ${kind} ${slug} in commit ${shortSha(commit)}`;
  if (!syncUrl) {
    return [`${head}. `, { reload: true, text: "Reload the editor" }, " once the course is synced to see the new files."];
  }
  return [
    `${head}; syncing a draft… `,
    { href: syncUrl, text: "Follow the sync" },
    " — ",
    { reload: true, text: "reload the editor" },
    " when the sync is done to see the new files.",
  ];
}

/** A refusal as the form shows it: "Not created. Lesson 'x' already exists (…)." */
export function notCreated(message) {
  const text = String(message ?? "").trim() || "The server refused.";
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return `Not created. ${capitalised}${/[.!?…]$/.test(capitalised) ? "" : "."}`;
}
