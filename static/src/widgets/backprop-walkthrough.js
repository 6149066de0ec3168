// Lesson 9: the tiny network z = w1 x + b1, h = relu(z), yhat = w2 h + b2,
// L = (yhat - y)^2, walked forward (values left to right) then backward (gradients right
// to left), one quantity per press, with every number shown and a finite-difference check.
import { h, s, button, numberInput, liveRegion, svgFigure, widgetHeading } from "../lib/dom.js";
import { LESSON_NETWORK, walkthrough, numericGradient, formatNumber as n } from "../math/backprop.js";

const W = 400;
const H = 200;
const NODES = [
  { key: "x", label: "x", cx: 36 },
  { key: "z", label: "z", cx: 126, grad: "dZ" },
  { key: "h", label: "h", cx: 206, grad: "dH" },
  { key: "yhat", label: "ŷ", cx: 296, grad: "dYhat" },
  { key: "loss", label: "L", cx: 370 },
];
const CY = 88;
const PARAMS = [
  ["x", "input x"], ["y", "target y"], ["w1", "weight w₁"], ["b1", "bias b₁"], ["w2", "weight w₂"], ["b2", "bias b₂"],
];

export default function mount(root) {
  const live = liveRegion();
  const params = { ...LESSON_NETWORK };
  let shown = 0; // how many steps of the walk are revealed

  const plot = svgFigure({ width: W, height: H, label: "" });
  const valueText = {};
  const gradText = {};
  for (let i = 0; i < NODES.length - 1; i++) {
    plot.svg.append(s("line", { x1: NODES[i].cx + 20, x2: NODES[i + 1].cx - 20, y1: CY, y2: CY, class: "edge" }));
  }
  for (const node of NODES) {
    const g = s("g", { class: "node" });
    g.append(s("circle", { cx: node.cx, cy: CY, r: 20 }), s("text", { x: node.cx, y: CY + 5, "text-anchor": "middle", class: "node-label" }, node.label));
    valueText[node.key] = s("text", { x: node.cx, y: CY - 30, "text-anchor": "middle", class: "node-value" });
    if (node.grad) gradText[node.grad] = s("text", { x: node.cx, y: CY + 40, "text-anchor": "middle", class: "node-grad" });
    plot.svg.append(g, valueText[node.key], node.grad ? gradText[node.grad] : null);
  }
  const param1 = s("text", { x: 81, y: H - 34, "text-anchor": "middle", class: "node-param" });
  const param1g = s("text", { x: 81, y: H - 14, "text-anchor": "middle", class: "node-grad" });
  const param2 = s("text", { x: 251, y: H - 34, "text-anchor": "middle", class: "node-param" });
  const param2g = s("text", { x: 251, y: H - 14, "text-anchor": "middle", class: "node-grad" });
  plot.svg.append(
    s("text", { x: 4, y: 16, class: "tick" }, "forward values ↑"),
    s("text", { x: 4, y: CY + 62, class: "tick" }, "gradients ↓"),
    param1, param1g, param2, param2g,
  );

  const inputs = PARAMS.map(([key, label]) => numberInput({
    label, value: params[key], step: 0.1, name: `param-${key}`,
    onChange: (v) => { params[key] = v; draw(false); },
  }));
  const prev = button("← Back", () => { shown = Math.max(0, shown - 1); draw(true); });
  const next = button("Next step →", () => { shown = Math.min(walkthrough(params).length, shown + 1); draw(true); });
  const all = button("Show all", () => { shown = walkthrough(params).length; draw(true); });
  const reset = button("Reset", () => {
    Object.assign(params, LESSON_NETWORK);
    inputs.forEach((inp, i) => inp.set(params[PARAMS[i][0]]));
    shown = 0;
    draw(true);
  });
  const table = h("table", { class: "widget-table" });
  const check = h("p", { class: "widget-readout-line" });

  function draw(announce) {
    const steps = walkthrough(params);
    const revealed = steps.slice(0, shown);
    const byKey = Object.fromEntries(revealed.map((st) => [st.key, st.value]));
    valueText.x.textContent = `x = ${n(params.x)}`;
    for (const key of ["z", "h", "yhat", "loss"]) {
      const label = NODES.find((nd) => nd.key === key).label;
      valueText[key].textContent = key in byKey ? `${label} = ${n(byKey[key])}` : "";
    }
    for (const key of ["dZ", "dH", "dYhat"]) gradText[key].textContent = key in byKey ? n(byKey[key]) : "";
    param1.textContent = `w₁ = ${n(params.w1)}, b₁ = ${n(params.b1)}`;
    param2.textContent = `w₂ = ${n(params.w2)}, b₂ = ${n(params.b2)}, y = ${n(params.y)}`;
    param1g.textContent = "dW1" in byKey ? `∂L/∂w₁ = ${n(byKey.dW1)}${"dB1" in byKey ? `, ∂L/∂b₁ = ${n(byKey.dB1)}` : ""}` : "";
    param2g.textContent = "dW2" in byKey ? `∂L/∂w₂ = ${n(byKey.dW2)}${"dB2" in byKey ? `, ∂L/∂b₂ = ${n(byKey.dB2)}` : ""}` : "";

    table.replaceChildren(
      h("caption", {}, shown === 0 ? "Press “Next step” to start the forward pass" : `Step ${shown} of ${steps.length}`),
      h("thead", {}, h("tr", {}, ...["pass", "quantity", "rule", "value"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...revealed.map((st, i) => h("tr", { class: i === shown - 1 ? "is-current" : null, "aria-current": i === shown - 1 ? "step" : null },
        h("td", {}, st.phase), h("th", { scope: "row" }, st.label), h("td", {}, st.rule), h("td", {}, n(st.value))))),
    );
    prev.disabled = shown === 0;
    next.disabled = shown === steps.length;
    if (shown === steps.length) {
      const fd = ["w1", "b1", "w2", "b2"].map((k) => `${k.replace("1", "₁").replace("2", "₂")} ${n(numericGradient(params, k))}`);
      check.textContent = `Finite-difference check, (L(p + ε) − L(p − ε)) / 2ε with ε = 10⁻⁶: ${fd.join(", ")}, the same as the backward pass.`;
    } else check.textContent = "";

    const current = revealed[shown - 1];
    const words = current ? `${current.phase} step ${shown} of ${steps.length}: ${current.label} = ${current.rule} = ${n(current.value)}.` : "Nothing computed yet.";
    plot.setLabel(`A network of one input, one ReLU hidden unit and one output with squared error. ${revealed.map((st) => `${st.label} = ${n(st.value)}`).join(", ") || "No values computed yet"}.`);
    if (announce) live.say(words + (check.textContent ? ` ${check.textContent}` : ""), { now: true });
  }

  root.append(
    widgetHeading("A tiny network, forward then backward"),
    plot.svg,
    h("div", { class: "widget-controls" }, prev, next, all, reset),
    table,
    check,
    h("details", { class: "widget-details" }, h("summary", {}, "Change the numbers"), h("div", { class: "widget-controls" }, ...inputs.map((i) => i.root))),
    live.el,
  );
  draw(false);
}
