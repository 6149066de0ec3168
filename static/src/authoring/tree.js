// A course's file paths as the editor's folder tree, and what a path is: a lesson (which
// has a preview), a file of an exercise (which has a Try-it panel). No DOM.

/**
 * Paths as nested folders: {name, path, folders: [...], files: [...]}, folders first, each
 * level sorted by name. `files` are the objects given ({path, ...}), each with its base
 * name added as `name`.
 */
export function buildTree(files) {
  const root = { name: "", path: "", folders: [], files: [] };
  const folders = new Map([["", root]]);
  const folderAt = (path) => {
    if (folders.has(path)) return folders.get(path);
    const cut = path.lastIndexOf("/");
    const parent = folderAt(cut === -1 ? "" : path.slice(0, cut));
    const folder = { name: path.slice(cut + 1), path, folders: [], files: [] };
    parent.folders.push(folder);
    folders.set(path, folder);
    return folder;
  };
  for (const file of files) {
    const path = String(file.path || "").replace(/^\/+|\/+$/g, "");
    if (!path) continue;
    const cut = path.lastIndexOf("/");
    folderAt(cut === -1 ? "" : path.slice(0, cut)).files.push({ ...file, path, name: path.slice(cut + 1) });
  }
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const folder of folders.values()) {
    folder.folders.sort(byName);
    folder.files.sort(byName);
  }
  return root;
}

/** The folders that hold a path, outermost first: "a/b/c.md" -> ["a", "a/b"]. */
export function foldersOf(path) {
  const parts = String(path || "").split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Lesson files, the ones the server renders a preview of: lessons/<name>.md. */
export function isLessonPath(path) {
  return /^lessons\/[^/]+\.md$/.test(String(path || ""));
}

/** The exercise whose folder holds the path, or null. */
export function exerciseFor(path, exercises) {
  const text = String(path || "");
  return (exercises || []).find((e) => e && e.folder && text.startsWith(`${e.folder.replace(/\/+$/, "")}/`)) || null;
}

/** `url` with one query parameter set, whether or not it already has a query. */
export function withParam(url, name, value) {
  const [beforeHash, hash = ""] = String(url).split("#");
  const [path, query = ""] = beforeHash.split("?");
  const params = new URLSearchParams(query);
  params.set(name, value);
  // "/" is legal in a query; left readable, a file's address reads like its path.
  const text = params.toString().replace(/%2F/gi, "/");
  return `${path}?${text}${hash ? `#${hash}` : ""}`;
}
