// Lesson 14: the convergence checklist as a decision tree. The reader says what their
// loss curve does, answers a follow-up check or two, and gets the likely cause, a way to
// confirm it and the fix. The tree itself is data (math/doctor.js). Each answer moves
// keyboard focus to the next question (or the diagnosis), so a screen reader reads it.
import { h, s, button, widgetHeading, uid } from "../lib/dom.js";
import { linear, linePath } from "../lib/plot.js";
import { NODES, startNode, next, isDiagnosis, sketch } from "../math/doctor.js";

const SKETCH_W = 64;
const SKETCH_H = 28;
const COLORS = { train: "#2f5bd3", val: "#d98c1a", metric: "#2a8c5a" };

// A tiny illustrative curve for an answer button; decorative (the label says it all).
function sketchSvg(kind) {
  const curves = sketch(kind);
  const sx = linear([0, curves.train.length - 1], [2, SKETCH_W - 2]);
  const sy = linear([0, 1.05], [SKETCH_H - 2, 2]);
  const svg = s("svg", {
    viewBox: `0 0 ${SKETCH_W} ${SKETCH_H}`, width: SKETCH_W, height: SKETCH_H, class: "doctor-sketch", "aria-hidden": "true", focusable: "false",
  });
  svg.append(s("line", { x1: 2, x2: SKETCH_W - 2, y1: SKETCH_H - 1.5, y2: SKETCH_H - 1.5, stroke: "#b9c0cc", "stroke-width": 1 }));
  for (const [name, values] of Object.entries(curves)) {
    svg.append(s("path", {
      d: linePath(values.map((v, i) => [i, Math.min(1.05, v)]), sx, sy), fill: "none", stroke: COLORS[name], "stroke-width": 1.75,
      "stroke-linejoin": "round", "stroke-linecap": "round", "stroke-dasharray": name === "metric" ? "3 2" : null,
    }));
  }
  if (kind === "nan") {
    const last = curves.train.findIndex((v) => !Number.isFinite(v)) - 1;
    svg.append(s("text", { x: sx(last) + 3, y: 10, "font-size": 9, fill: "#c0392b" }, "NaN"));
  }
  return svg;
}

export default function mount(root) {
  // history: the answers given so far, as [nodeId, answerIndex] pairs
  let history = [];
  const current = () => (history.length ? next(...history[history.length - 1]) : startNode());

  const trailHeadingId = uid("doctor-trail");
  const trailList = h("ol", { class: "doctor-trail-list", "aria-labelledby": trailHeadingId });
  const trail = h("div", { class: "doctor-trail" }, h("p", { class: "doctor-trail-title", id: trailHeadingId }, "Your answers so far"), trailList);
  const stage = h("div", { class: "doctor-stage" });
  const back = button("← Back", () => { history = history.slice(0, -1); render(true); });
  const restart = button("Start over", () => { history = []; render(true); });
  const counter = h("p", { class: "widget-note doctor-count" });

  function answerButton(nodeId, answer, index) {
    const el = button("", () => { history = [...history, [nodeId, index]]; render(true); }, { class: "widget-button doctor-answer" });
    if (answer.sketch) el.append(sketchSvg(answer.sketch));
    el.append(h("span", {}, answer.label));
    return el;
  }

  function render(moveFocus) {
    const id = current();
    const node = NODES[id];

    trailList.replaceChildren(...history.map(([nodeId, index]) => h("li", {},
      h("span", { class: "doctor-trail-question" }, NODES[nodeId].question), " ",
      h("strong", {}, NODES[nodeId].answers[index].label))));
    trail.hidden = history.length === 0;
    back.disabled = history.length === 0;
    restart.disabled = history.length === 0;

    const headingId = uid("doctor-step");
    let heading;
    if (isDiagnosis(node)) {
      heading = h("h4", { class: "doctor-heading", id: headingId, tabindex: "-1" }, `Likely: ${node.diagnosis}`);
      stage.replaceChildren(h("section", { class: "doctor-diagnosis", "aria-labelledby": headingId },
        heading,
        h("dl", { class: "doctor-facts" },
          h("dt", {}, "Why it happens"), h("dd", {}, node.cause),
          h("dt", {}, "How to confirm it"), h("dd", {}, node.confirm),
          h("dt", {}, "What to do"), h("dd", {}, h("ul", {}, ...node.fix.map((f) => h("li", {}, f))))),
      ));
      counter.textContent = `Diagnosis reached after ${history.length} ${history.length === 1 ? "answer" : "answers"}. Go back to try another answer, or start over.`;
    } else {
      heading = h("h4", { class: "doctor-heading", id: headingId, tabindex: "-1" }, node.question);
      stage.replaceChildren(h("section", { class: "doctor-question", "aria-labelledby": headingId },
        heading,
        node.help ? h("p", { class: "widget-note" }, node.help) : null,
        h("div", { class: "doctor-answers", role: "group", "aria-labelledby": headingId },
          ...node.answers.map((answer, i) => answerButton(id, answer, i))),
      ));
      counter.textContent = history.length === 0
        ? "The sketches are illustrations, not data: blue is the training loss, orange the validation loss, dashed green a metric."
        : `Question ${history.length + 1}.`;
    }
    if (moveFocus) heading.focus();
  }

  root.append(
    widgetHeading("Loss-curve doctor"),
    h("p", { class: "widget-note" },
      "Say what your loss curve does. A follow-up check or two narrows it down to the likely cause, how to confirm it, and what to do about it."),
    trail,
    stage,
    counter,
    h("div", { class: "widget-controls" }, back, restart),
  );
  render(false);
}
