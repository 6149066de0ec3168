// The side panel's tabs (WAI-ARIA tabs pattern): buttons with role=tab in a tablist, each
// controlling a role=tabpanel; arrow keys, Home and End move between the visible tabs.

export function mountTabs(tablist, { onSelect = () => {} } = {}) {
  const tabs = () => [...tablist.querySelectorAll('[role="tab"]')].filter((tab) => !tab.hidden);
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function select(tab, { focus = false } = {}) {
    for (const other of tablist.querySelectorAll('[role="tab"]')) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", chosen ? "true" : "false");
      other.tabIndex = chosen ? 0 : -1;
      const panel = panelOf(other);
      if (panel) panel.hidden = !chosen;
    }
    if (focus) tab.focus();
    onSelect(tab.id);
  }

  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const list = tabs();
    const at = list.indexOf(document.activeElement);
    if (at === -1) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: list.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(list[(to + list.length) % list.length], { focus: true });
  });

  return {
    select: (id) => select(document.getElementById(id)),
    selected: () => tablist.querySelector('[role="tab"][aria-selected="true"]')?.id || null,
    /** Shows or hides a tab; hiding the selected one selects the first visible tab. */
    show(id, visible) {
      const tab = document.getElementById(id);
      tab.hidden = !visible;
      if (!visible && tab.getAttribute("aria-selected") === "true") select(tabs()[0]);
    },
  };
}
