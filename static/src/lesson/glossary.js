// Glossary pop-overs: a[data-term] links (made by the Markdown renderer) show their term's
// card (rendered hidden in the page) on hover, focus or click; Escape or a click
// elsewhere closes it. Without this script, the link goes to the glossary page.

import { popoverPosition } from "./popover-position.js";

const HOVER_CLOSE_MS = 250;

export function mountGlossaryPopovers(root) {
  const cards = new Map();
  root.querySelectorAll("[data-term-card]").forEach((card) => cards.set(card.dataset.termCard, card));
  const links = [...root.querySelectorAll("a[data-term]")].filter((a) => cards.has(a.dataset.term));
  if (!links.length) return;

  const popover = document.createElement("div");
  popover.className = "term-popover";
  popover.id = "term-popover";
  popover.setAttribute("role", "dialog");
  popover.setAttribute("aria-modal", "false");
  popover.hidden = true;
  document.body.appendChild(popover);

  let owner = null;
  let pinned = false;
  let closeTimer = null;

  const place = (link) => {
    const viewport = {
      width: document.documentElement.clientWidth,
      height: document.documentElement.clientHeight,
      scrollX: window.scrollX,
      scrollY: window.scrollY,
    };
    const width = Math.min(352, viewport.width - 16);
    popover.style.width = `${width}px`;
    const { left, top } = popoverPosition(
      link.getBoundingClientRect(),
      { width, height: popover.offsetHeight },
      viewport,
    );
    popover.style.left = `${left}px`;
    popover.style.top = `${top}px`;
  };

  const open = (link, pin) => {
    clearTimeout(closeTimer);
    if (owner && owner !== link) close(false);
    const card = cards.get(link.dataset.term);
    // Copies of the server-rendered card's nodes: no markup is parsed here.
    popover.replaceChildren(...[...card.childNodes].map((node) => node.cloneNode(true)));
    popover.setAttribute("aria-label", `Glossary: ${link.textContent.trim()}`);
    popover.hidden = false;
    place(link);
    owner = link;
    pinned = pinned || pin;
    link.setAttribute("aria-expanded", "true");
  };

  const close = (returnFocus) => {
    if (!owner) return;
    popover.hidden = true;
    owner.setAttribute("aria-expanded", "false");
    if (returnFocus) owner.focus();
    owner = null;
    pinned = false;
  };

  const closeSoon = () => {
    if (pinned) return;
    clearTimeout(closeTimer);
    closeTimer = setTimeout(() => close(false), HOVER_CLOSE_MS);
  };

  for (const link of links) {
    link.setAttribute("aria-controls", popover.id);
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("mouseenter", () => open(link, false));
    link.addEventListener("mouseleave", closeSoon);
    link.addEventListener("focus", () => open(link, false));
    link.addEventListener("blur", (event) => {
      if (!popover.contains(event.relatedTarget)) closeSoon();
    });
    link.addEventListener("click", (event) => {
      // The first click shows the card; a click on a shown, pinned card follows the link.
      if (owner === link && pinned) return;
      event.preventDefault();
      open(link, true);
    });
  }
  popover.addEventListener("mouseenter", () => clearTimeout(closeTimer));
  popover.addEventListener("mouseleave", closeSoon);
  popover.addEventListener("focusout", (event) => {
    if (!popover.contains(event.relatedTarget) && event.relatedTarget !== owner) closeSoon();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && owner) {
      event.preventDefault();
      close(true);
    }
  });
  document.addEventListener("click", (event) => {
    if (owner && !popover.contains(event.target) && !links.includes(event.target.closest("a"))) close(false);
  });
  window.addEventListener("resize", () => owner && place(owner));
}
