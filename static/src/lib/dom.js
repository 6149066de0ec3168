// Small DOM helpers shared by the widgets. Everything is built with createElement and
// textContent (no innerHTML, no inline handlers), so the bundle works under a strict
// Content Security Policy and never parses course text as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";
let counter = 0;

/** A page-unique id, so two copies of a widget on one page never share label targets. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

function apply(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** An HTML element: h("p", {class: "x"}, "text", child). */
export function h(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function setAttrs(node, attrs) {
  return apply(node, attrs);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/**
 * A labelled range input with its value shown in an <output>. `format` turns the value
 * into the words shown (and announced by screen readers through aria-valuetext).
 */
export function slider({ label, min, max, step, value, format = String, onInput, name }) {
  const id = uid(name || "slider");
  const input = h("input", { type: "range", id, min, max, step, value });
  const output = h("output", { for: id, class: "widget-value" });
  const sync = () => {
    const v = Number(input.value);
    output.textContent = format(v);
    input.setAttribute("aria-valuetext", format(v));
    return v;
  };
  input.addEventListener("input", () => onInput && onInput(sync()));
  sync();
  const root = h("div", { class: "widget-control" }, h("label", { for: id }, label), input, output);
  return {
    root,
    input,
    get value() {
      return Number(input.value);
    },
    set(v) {
      input.value = String(v);
      sync();
    },
  };
}

/** A labelled <select>. options: [[value, text], ...]. */
export function select({ label, options, value, onChange, name }) {
  const id = uid(name || "select");
  const el = h("select", { id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  el.addEventListener("change", () => onChange && onChange(el.value));
  const root = h("div", { class: "widget-control" }, h("label", { for: id }, label), el);
  return { root, el, get value() { return el.value; } };
}

/** A labelled number input; onChange gets the number only when it parses. */
export function numberInput({ label, value, step = "any", onChange, name }) {
  const id = uid(name || "number");
  const el = h("input", { type: "number", id, value, step, inputmode: "decimal" });
  el.addEventListener("input", () => {
    const v = Number.parseFloat(el.value);
    if (Number.isFinite(v) && onChange) onChange(v);
  });
  const root = h("div", { class: "widget-control widget-control-number" }, h("label", { for: id }, label), el);
  return { root, el, get value() { return Number.parseFloat(el.value); }, set(v) { el.value = String(v); } };
}

export function button(text, onClick, attrs = {}) {
  const el = h("button", { type: "button", class: "widget-button", ...attrs }, text);
  el.addEventListener("click", onClick);
  return el;
}

/**
 * A polite live region. Sliders fire many input events; announcing each one would
 * drown the reader, so the text is only spoken once the value settles.
 */
export function liveRegion(delay = 350) {
  const el = h("p", { class: "widget-status", "aria-live": "polite", "aria-atomic": "true" });
  let timer = null;
  return {
    el,
    say(text, { now = false } = {}) {
      clearTimeout(timer);
      if (now) el.textContent = text;
      else timer = setTimeout(() => { el.textContent = text; }, delay);
    },
  };
}

/**
 * An SVG that scales to the width of its container (viewBox, no fixed size) and is one
 * image to assistive technology, named by a <title> kept in sync with the numbers.
 */
export function svgFigure({ width, height, label, className = "" }) {
  const titleId = uid("svg-title");
  const title = s("title", { id: titleId }, label);
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": titleId,
    class: `widget-plot ${className}`.trim(),
    preserveAspectRatio: "xMidYMid meet",
  }, title);
  return {
    svg,
    setLabel(text) {
      title.textContent = text;
    },
  };
}

/** Numbers for people: a fixed number of significant digits, a real minus sign. */
export function fmt(v, digits = 3) {
  if (Number.isNaN(v)) return "not a number";
  if (!Number.isFinite(v)) return v > 0 ? "infinity" : "minus infinity";
  if (v === 0) return "0";
  const abs = Math.abs(v);
  let text;
  if (abs >= 1e5 || abs < 1e-3) text = v.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e");
  else text = String(Number.parseFloat(v.toPrecision(digits)));
  return text.replace("-", "−");
}

/** Mount helper: a widget body with a heading, inserted before the figure's fallback caption. */
export function widgetHeading(title) {
  return h("h3", { class: "widget-title", id: uid("widget-title") }, title);
}
