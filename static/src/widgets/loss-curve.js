// Lesson 14: a live loss curve. The run plays epoch by epoch: training and validation
// loss, the warmup + cosine learning rate under them, and the early-stopping marker
// where the validation loss has failed to improve for `patience` epochs.
import { h, s, slider, button, liveRegion, svgFigure, fmt, widgetHeading } from "../lib/dom.js";
import { linear, linePath, axes, ticks } from "../lib/plot.js";
import { simulateRun } from "../math/run.js";

const W = 380;
const H = 300;
const EPOCHS = 100;
const LOSS_BOX = { left: 44, right: W - 18, top: 10, bottom: 180 };
const LR_BOX = { left: 44, right: W - 18, top: 208, bottom: 262 };

export default function mount(root) {
  const live = liveRegion();
  const plot = svgFigure({ width: W, height: H, label: "" });
  const chart = s("g");
  plot.svg.append(chart);
  const warmup = slider({ label: "Warmup epochs", min: 0, max: 40, step: 1, value: 10, format: String, onInput: () => restart(), name: "warmup" });
  const baseLr = slider({ label: "Base learning rate", min: 0.02, max: 0.2, step: 0.01, value: 0.1, format: (v) => fmt(v, 2), onInput: () => restart(), name: "base-lr" });
  const patience = slider({ label: "Patience (epochs)", min: 1, max: 15, step: 1, value: 5, format: String, onInput: () => restart(), name: "patience" });
  const play = button("Play", () => (timer ? pause(true) : resume()), { "aria-pressed": "false" });
  const finish = button("Show whole run", () => { pause(false); shown = lastEpoch(); draw(); announce(); });
  const readout = h("p", { class: "widget-readout-line" });

  let run = null;
  let shown = 0;
  let timer = null;
  const lastEpoch = () => (run.stopped ? run.stopEpoch : EPOCHS - 1);

  function restart() {
    pause(false);
    run = simulateRun({ epochs: EPOCHS, warmup: warmup.value, baseLr: baseLr.value, patience: patience.value });
    shown = lastEpoch();
    draw();
    live.say(summary());
  }

  function resume() {
    if (shown >= lastEpoch()) shown = 0;
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      shown += 1;
      draw();
      if (shown >= lastEpoch()) pause(true);
    }, 50);
  }

  function pause(announceNow) {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
    if (announceNow) announce();
  }

  function summary() {
    const e = shown;
    let text = `Epoch ${e}: learning rate ${fmt(run.lr[e])}, training loss ${fmt(run.train[e])}, validation loss ${fmt(run.val[e])}.`;
    if (e >= lastEpoch()) {
      text += run.stopped
        ? ` Early stopping ends the run at epoch ${run.stopEpoch}, ${patience.value} epochs without improvement after the best validation loss ${fmt(run.val[run.bestEpoch])} at epoch ${run.bestEpoch}; its weights are restored.`
        : ` The run ends at epoch ${EPOCHS - 1} without early stopping; best validation loss ${fmt(run.val[run.bestEpoch])} at epoch ${run.bestEpoch}.`;
    }
    return text;
  }
  function announce() { live.say(summary(), { now: true }); }

  function draw() {
    const sx = linear([0, EPOCHS - 1], [LOSS_BOX.left, LOSS_BOX.right]);
    const maxLoss = Math.max(...run.train, ...run.val);
    const sy = linear([0, maxLoss * 1.05], [LOSS_BOX.bottom, LOSS_BOX.top]);
    const sl = linear([0, baseLr.value], [LR_BOX.bottom, LR_BOX.top]);
    const upto = (arr) => arr.slice(0, shown + 1).map((v, i) => [i, v]);
    const parts = [
      axes({ sx, sy, box: LOSS_BOX, xTicks: [], yTicks: ticks(0, maxLoss, 4), yLabel: "loss", yFormat: fmt }),
      axes({ sx, sy: sl, box: LR_BOX, xTicks: ticks(0, EPOCHS, 5), yTicks: [0, baseLr.value], xLabel: "epoch", xFormat: String, yFormat: (v) => fmt(v, 2) }),
      s("text", { x: LR_BOX.right, y: LR_BOX.top - 4, class: "tick", "text-anchor": "end" }, "learning rate"),
      warmup.value > 0 ? s("rect", { x: sx(0), y: LR_BOX.top, width: sx(warmup.value) - sx(0), height: LR_BOX.bottom - LR_BOX.top, class: "band" }) : null,
      s("path", { d: linePath(run.lr.map((v, i) => [i, v]), sx, sl), class: "series series-4 faint" }),
      s("path", { d: linePath(upto(run.lr), sx, sl), class: "series series-4" }),
      // after the stop, the rest of the run as it would have gone: validation keeps rising
      shown >= lastEpoch() && run.stopped ? s("path", { d: linePath(run.train.map((v, i) => [i, v]).slice(run.stopEpoch), sx, sy), class: "series series-1 faint" }) : null,
      shown >= lastEpoch() && run.stopped ? s("path", { d: linePath(run.val.map((v, i) => [i, v]).slice(run.stopEpoch), sx, sy), class: "series series-2 faint" }) : null,
      s("path", { d: linePath(upto(run.train), sx, sy), class: "series series-1" }),
      s("path", { d: linePath(upto(run.val), sx, sy), class: "series series-2" }),
    ];
    if (shown >= run.bestEpoch) {
      parts.push(s("circle", { cx: sx(run.bestEpoch), cy: sy(run.val[run.bestEpoch]), r: 4, class: "dot series-2" }));
    }
    if (run.stopped && shown >= run.stopEpoch) {
      const x = sx(run.stopEpoch);
      parts.push(
        s("line", { x1: x, x2: x, y1: LOSS_BOX.top, y2: LOSS_BOX.bottom, class: "marker-line stop" }),
        s("text", { x: x - 4, y: LOSS_BOX.top + 12, class: "tick", "text-anchor": "end" }, `early stop, epoch ${run.stopEpoch}`),
      );
    }
    chart.replaceChildren(...parts.filter(Boolean));
    readout.textContent = summary();
    plot.setLabel(`Loss curve: training and validation loss per epoch, with the learning rate below (warmup ${warmup.value} epochs, then cosine decay). ${summary()}`);
  }

  root.append(
    widgetHeading("Live loss curve: warmup, decay, early stopping"),
    plot.svg,
    h("p", { class: "widget-legend", "aria-hidden": "true" },
      h("span", { class: "key key-1" }, "training loss"), " ", h("span", { class: "key key-2" }, "validation loss"), " ", h("span", { class: "key key-4" }, "learning rate")),
    readout,
    h("div", { class: "widget-controls" }, play, finish, warmup.root, baseLr.root, patience.root),
    h("p", { class: "widget-note" }, "The schedule (linear warmup, cosine decay) and the early-stopping rule are exact; the losses come from a small simulated run in which progress follows the learning rate spent and the model starts to overfit late. Faint lines after the stop show how the run would have gone on."),
    live.el,
  );
  restart();
  live.say("", { now: true });
}
