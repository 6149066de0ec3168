// The file tree: the page lists every file as a link (?file=<path>), which works without
// JavaScript; this regroups those same links into folders that open and close, marks the
// open file and the unsaved one, and hands clicks to the editor instead of reloading.
import { h } from "../lib/dom.js";
import { buildTree, foldersOf } from "./tree.js";

export function mountFileTree(list, { onOpen, initial = "" }) {
  const links = [...list.querySelectorAll("a[data-path]")];
  const files = links.map((link) => ({ path: link.dataset.path, link, item: link.closest("li") }));
  const tree = buildTree(files);
  const folderNodes = new Map();

  const fileItem = (file) => {
    file.link.textContent = file.name;
    file.link.title = file.path;
    return file.item;
  };
  const folderItem = (folder) => {
    const details = h("details", { class: "tree-folder", "data-folder": folder.path },
      h("summary", {}, h("span", { class: "tree-folder-name" }, `${folder.name}/`)),
      h("ul", { class: "tree-list" }, folder.folders.map(folderItem), folder.files.map(fileItem)));
    // Closed, but for the folders around the open file (setOpen): a course has a folder
    // per exercise, and all of them open would push the lessons out of sight.
    details.open = false;
    folderNodes.set(folder.path, details);
    return h("li", { class: "tree-node" }, details);
  };
  list.replaceChildren(...tree.folders.map(folderItem), ...tree.files.map(fileItem));
  list.classList.add("is-tree");
  // With no file to open, the top level is what there is to choose from.
  const around = new Set(foldersOf(initial));
  for (const [path, details] of folderNodes) details.open = initial ? around.has(path) : !path.includes("/");

  list.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-path]");
    // A click with a modifier (new tab, new window) keeps its usual meaning.
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(link.dataset.path);
  });

  const linkOf = (path) => links.find((link) => link.dataset.path === path) || null;

  return {
    has: (path) => Boolean(linkOf(path)),
    editable: (path) => linkOf(path)?.dataset.editable === "true",
    /** Marks the open file (aria-current) and opens the folders around it. */
    setOpen(path) {
      for (const link of links) {
        const open = link.dataset.path === path;
        link.classList.toggle("is-open", open);
        if (open) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
        link.closest("li")?.classList.remove("is-dirty");
      }
      for (const folder of foldersOf(path)) {
        const details = folderNodes.get(folder);
        if (details) details.open = true;
      }
      linkOf(path)?.scrollIntoView({ block: "nearest" });
    },
    setDirty(path, dirty) {
      linkOf(path)?.closest("li")?.classList.toggle("is-dirty", dirty);
    },
  };
}
