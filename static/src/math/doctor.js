// The convergence checklist of lesson 14 as a decision tree, for the loss-curve doctor
// widget. Nodes are questions (each answer names the next node) or diagnoses (the likely
// cause, how to confirm it, and what to do). Some diagnoses are reached from more than
// one question, so the tree is strictly a directed acyclic graph; the tests check that
// every walk from the start ends in a diagnosis, that no walk loops, and that every node
// can be reached.
import { mulberry32, normalSampler } from "./random.js";

export const START = "shape";

export const NODES = {
  // --- first level ------------------------------------------------------------------------
  shape: {
    question: "What does your loss curve do?",
    help: "Look at the smoothed training loss, and at the validation loss if you measure one.",
    answers: [
      { label: "It becomes NaN or infinity", next: "nan-when", sketch: "nan" },
      { label: "It stays flat from the very first step", next: "flat-weights", sketch: "flat" },
      { label: "Training keeps falling; validation falls, then rises", next: "overfit-metric", sketch: "overfit" },
      { label: "It falls, but very noisily", next: "noisy-fixed", sketch: "noisy" },
      { label: "It falls fast, then levels off too high", next: "plateau-lower-lr", sketch: "plateau" },
      { label: "It stalls for a long stretch, then drops again", next: "d-saddle", sketch: "stall" },
      { label: "It spikes up now and then, and recovers", next: "spikes-when", sketch: "spikes" },
      { label: "The training loss sits above the validation loss", next: "trainval-regularizer", sketch: "train-above" },
      { label: "The loss falls, but the metric I care about does not improve", next: "metric-imbalance", sketch: "metric" },
      { label: "It falls steadily and levels off low", next: "d-healthy", sketch: "healthy" },
    ],
  },

  // --- NaN or infinity --------------------------------------------------------------------
  "nan-when": {
    question: "When does the loss first stop being a number?",
    answers: [
      { label: "Already at the first step, before any update", next: "d-nan-forward" },
      { label: "After a few steps in which it climbed", next: "d-rate-too-high" },
      { label: "Suddenly, after a long stretch of normal training", next: "nan-same-batch" },
    ],
  },
  "nan-same-batch": {
    question: "Rerun from the last checkpoint with the same data order. Does it break at the same batch?",
    answers: [
      { label: "Yes, always at the same batch", next: "d-bad-data" },
      { label: "No, or I cannot tell", next: "nan-grad-norm" },
    ],
  },
  "nan-grad-norm": {
    question: "Log the gradient norm at every step. Does it grow or jump just before the loss breaks?",
    answers: [
      { label: "Yes, it grows or jumps", next: "d-exploding" },
      { label: "No, it looks normal until the loss breaks", next: "d-unsafe-loss" },
    ],
  },

  // --- flat from the start ----------------------------------------------------------------
  "flat-weights": {
    question: "Take one optimizer step and compare the weights before and after it. Do they change?",
    answers: [
      { label: "No, they are exactly the same", next: "d-no-update" },
      { label: "Yes, they change", next: "flat-dead" },
    ],
  },
  "flat-dead": {
    question: "Look at each layer's activations and gradients on a batch. Are most units stuck (a ReLU giving 0 on every example, a tanh or sigmoid pinned at its limit) with gradients near zero?",
    answers: [
      { label: "Yes, most units are stuck", next: "d-dead-units" },
      { label: "No, activations vary and gradients have a normal size", next: "flat-rate" },
    ],
  },
  "flat-rate": {
    question: "Try a learning rate 10 times larger for a few hundred steps. Does the loss start to fall?",
    answers: [
      { label: "Yes", next: "d-rate-too-small" },
      { label: "No", next: "flat-one-batch" },
    ],
  },
  "flat-one-batch": {
    question: "Train on one small batch (say 8 examples) over and over. Can the model drive the loss on it close to zero?",
    answers: [
      { label: "Yes, it memorizes the batch", next: "d-no-signal" },
      { label: "No, not even that", next: "d-disconnected" },
    ],
  },

  // --- validation turns up ----------------------------------------------------------------
  "overfit-metric": {
    question: "While the validation loss rises, what does the validation metric you care about (accuracy, say) do?",
    answers: [
      { label: "It gets worse too", next: "d-overfitting" },
      { label: "It holds steady or keeps improving", next: "d-overconfident" },
    ],
  },

  // --- noisy ------------------------------------------------------------------------------
  "noisy-fixed": {
    question: "Every few hundred steps, measure the loss on one fixed set of examples (the same few thousand each time). Is that curve smooth and falling?",
    answers: [
      { label: "Yes, smooth and falling", next: "d-measurement-noise" },
      { label: "No, it jumps about as well", next: "d-noisy-steps" },
    ],
  },

  // --- plateau ----------------------------------------------------------------------------
  "plateau-lower-lr": {
    question: "At the plateau, lower the learning rate 10 times (or let a decay schedule begin). Does the loss drop again?",
    answers: [
      { label: "Yes, it drops to a new, lower level", next: "d-rate-fine-phase" },
      { label: "No, it stays where it is", next: "plateau-gap" },
    ],
  },
  "plateau-gap": {
    question: "Compare the training and validation loss at the plateau.",
    answers: [
      { label: "Both are high and close together", next: "d-underfitting" },
      { label: "Training is low; validation stays high", next: "d-overfitting" },
    ],
  },

  // --- spikes -----------------------------------------------------------------------------
  "spikes-when": {
    question: "When do the spikes happen?",
    answers: [
      { label: "Mostly in the first few hundred steps", next: "d-no-warmup" },
      { label: "At the same batches every epoch (same data order)", next: "d-bad-data" },
      { label: "At random moments later in training", next: "d-edge-of-stability" },
    ],
  },

  // --- training above validation ----------------------------------------------------------
  "trainval-regularizer": {
    question: "Is dropout, added noise or data augmentation switched on while the training loss is measured?",
    answers: [
      { label: "Yes", next: "d-train-mode" },
      { label: "No", next: "trainval-timing" },
    ],
  },
  "trainval-timing": {
    question: "Is your training loss the average over the epoch, while the validation loss is measured after it?",
    answers: [
      { label: "Yes", next: "d-epoch-average" },
      { label: "No, both are measured the same way at the same moment", next: "d-split" },
    ],
  },

  // --- loss versus metric -----------------------------------------------------------------
  "metric-imbalance": {
    question: "Is one class (or outcome) much more common than the others?",
    answers: [
      { label: "Yes", next: "d-imbalance" },
      { label: "No", next: "metric-train" },
    ],
  },
  "metric-train": {
    question: "Measure the metric on the training set. Does it improve there?",
    answers: [
      { label: "No, not even on the training set", next: "d-wrong-objective" },
      { label: "Yes on training, but not on validation", next: "d-overfitting" },
    ],
  },

  // --- diagnoses --------------------------------------------------------------------------
  "d-nan-forward": {
    diagnosis: "The loss is broken before training starts",
    cause: "Something in the forward pass makes a non-finite number from the untouched model: a log of 0, a division by 0, the square root of a negative number, or NaN or infinity already sitting in the inputs or targets.",
    confirm: "Compute the loss on one batch without taking a step. Test the inputs and targets for non-finite values, then print the intermediate results of the loss one operation at a time until the first bad one.",
    fix: [
      "Compute cross-entropy from the logits with log-softmax (z − logsumexp(z)) instead of taking the log of softmax probabilities.",
      "Where you divide by, or take the log of, something that can be 0, add a small ε or rewrite the formula in log space.",
      "Repair or drop non-finite values in the data, and check for them when loading.",
    ],
  },
  "d-rate-too-high": {
    diagnosis: "Learning rate too high: the run diverges",
    cause: "Each step overshoots the bottom of the valley by more than it gains, so the loss grows from step to step until the numbers overflow. On a bowl with curvature λ, plain gradient descent diverges once α > 2/λ.",
    confirm: "Rerun with a rate 3 to 10 times lower. If the loss now falls, the rate was the problem. Also check that the gradients are cleared every step: if they pile up instead, each step uses the sum of all past gradients and grows until a safe rate blows up.",
    fix: [
      "Lower the learning rate (try a factor of 3 to 10).",
      "Add a warmup so the first steps are small.",
      "Standardize the inputs: badly scaled features make the landscape very steep in some directions.",
    ],
  },
  "d-bad-data": {
    diagnosis: "A bad batch",
    cause: "A few examples hold extreme or broken values (NaN, infinity, a feature in the wrong units, a corrupt label). Their loss and gradient are huge, so a step on them throws the weights off: the loss spikes, or at worst overflows.",
    confirm: "Save the batch where it happens and inspect it: non-finite values, the range of each input, labels outside the valid set.",
    fix: [
      "Clean or drop the broken examples, and check for non-finite values when loading data.",
      "Clip the gradient norm so that no single batch can throw the weights far.",
      "For regression with genuine outliers, a robust loss such as Huber limits how hard extreme targets pull.",
    ],
  },
  "d-exploding": {
    diagnosis: "Exploding gradients",
    cause: "The gradient grows as it flows back through many layers (or many time steps), or the weights reached a steep cliff in the landscape. One huge step throws them far off, and the next loss overflows.",
    confirm: "Plot the gradient norm per step, or per layer: it climbs or jumps by orders of magnitude just before the failure.",
    fix: [
      "Clip the gradient norm (for example at 1).",
      "Lower the learning rate, or lengthen the warmup.",
      "Initialize so that activations and gradients keep a steady size through the layers (Xavier, He), and add normalization layers.",
    ],
  },
  "d-unsafe-loss": {
    diagnosis: "A numerically unsafe loss",
    cause: "The model grew so confident that a probability rounded to exactly 0 (or 1) before its log was taken, or an exponential overflowed: e^z is infinite for z above about 709 in 64-bit floats, and above about 11 in 16-bit floats.",
    confirm: "At the failing step, print the largest logit and the smallest probability that reaches a log.",
    fix: [
      "Use the stable fused forms: cross-entropy computed from logits with log-softmax, or the logits version of binary cross-entropy.",
      "In mixed precision, compute the loss in 32-bit floats and use loss scaling.",
      "Clipping probabilities to [ε, 1 − ε] stops the NaN but gives zero gradient wherever it clips; computing in log space is the real fix.",
    ],
  },
  "d-no-update": {
    diagnosis: "Nothing is being updated",
    cause: "The optimizer step does not change the weights. The usual culprits: step() is never called; the optimizer holds a different set of parameters (it was built before the model was rebuilt or copied); the gradients are cleared between the backward pass and the step, so the step always sees zeros; the graph is cut (a .detach(), .item() or a round trip through NumPy), so no gradient reaches the weights; the parameters are frozen; or the learning rate is 0.",
    confirm: "After backward(), print each parameter's gradient norm. Missing or exactly zero gradients everywhere point to a cut graph or frozen parameters; non-zero gradients with unchanged weights point to the optimizer.",
    fix: [
      "Order every step as: clear the gradients, forward pass, loss, backward pass, optimizer step.",
      "Build the optimizer from the final model's parameters.",
      "Keep the loss a tensor computed from the model's output until backward() has run.",
      "(Gradients that are never cleared do the opposite: they pile up, the steps grow, and the loss swings or diverges.)",
    ],
  },
  "d-dead-units": {
    diagnosis: "Dead or saturated units",
    cause: "A ReLU whose input is negative on every example outputs 0 and passes no gradient back, so its weights never change again; tanh and sigmoid units pinned near their limits pass almost none. Too large an initialization, a large negative bias, unscaled inputs or one huge early step can put most units there.",
    confirm: "For each layer, measure the share of ReLU units that are 0 on a whole batch, or of tanh units with |activation| above 0.99.",
    fix: [
      "Initialize with He scaling for ReLU, Xavier for tanh.",
      "Standardize the inputs.",
      "Lower the rate or add a warmup, so no early step can knock the units out; a leaky ReLU keeps a small gradient for negative inputs.",
      "Normalization layers (batch norm, layer norm) keep pre-activations in a useful range.",
    ],
  },
  "d-rate-too-small": {
    diagnosis: "Learning rate too small",
    cause: "The steps are so short that progress is invisible on the plot. Near a minimum, each step shrinks the distance along a direction of curvature λ by the factor 1 − αλ; when αλ is tiny, that factor is barely below 1.",
    confirm: "Run a few hundred steps at rates spaced by factors of 3 and keep the largest one that still falls smoothly.",
    fix: [
      "Raise the learning rate.",
      "Use momentum or Adam, which move faster along gentle, consistent slopes.",
      "Standardize the inputs so that one rate suits every direction.",
    ],
  },
  "d-no-signal": {
    diagnosis: "The inputs tell the model nothing about the targets",
    cause: "The model and the training step work (they can memorize a small batch), yet on the full data the model finds nothing to learn. Most often the targets no longer belong to their inputs: shuffled separately, sorted differently, off by one; or preprocessing has turned the inputs blank or constant.",
    confirm: "Compare the flat value with the loss of always predicting the same thing: the variance of the targets for squared error, ln C for cross-entropy over C balanced classes (2.30 for 10 classes). If they match, the model has found nothing to use. Then print a few input–target pairs and check them by eye.",
    fix: [
      "Shuffle inputs and targets together, with one permutation applied to both.",
      "Inspect the data after preprocessing, not only the raw files.",
    ],
  },
  "d-disconnected": {
    diagnosis: "The loss is cut off from the model, or measures the wrong thing",
    cause: "Not even a single batch can be fitted, so the gradient cannot be doing its job. Typical causes: the loss is computed from a detached copy of the output; the target's shape broadcasts against the output (an (N, 1) column minus an (N,) row makes an N × N table); a final activation stops the output from reaching the targets (a ReLU or sigmoid on a regression output); or a hand-written gradient is wrong.",
    confirm: "Print the shapes of the output, the target and the loss; check the gradient against finite differences on a tiny model.",
    fix: [
      "Make the output and target shapes match exactly before the loss.",
      "Remove the final activation, or choose one whose range covers the targets.",
      "Fix whatever gradient the finite-difference check flags.",
    ],
  },
  "d-overfitting": {
    diagnosis: "Overfitting",
    cause: "The model has begun to fit the quirks and noise of its own training examples. Those do not carry over to new data, so from here on every step improves the training loss and hurts on everything else.",
    confirm: "The gap between the curves opens at a definite point and widens after it; more data or a stronger penalty delays or removes it.",
    fix: [
      "Early stopping: keep the weights from the epoch with the best validation loss.",
      "Regularize: weight decay (L2), dropout, data augmentation.",
      "Get more data, or use a smaller model.",
    ],
  },
  "d-overconfident": {
    diagnosis: "Overconfidence: a few confident mistakes drive the loss",
    cause: "Cross-entropy keeps growing on the examples the model gets wrong with high confidence, even while the share it gets right holds or improves. It is overfitting that shows in the probabilities before it shows in the decisions.",
    confirm: "List the validation examples with the largest loss: they are confident, wrong predictions.",
    fix: [
      "Stop early on the metric you care about (or on the loss, if well-calibrated probabilities matter).",
      "Regularize (weight decay, dropout), or use label smoothing.",
      "If you need calibrated probabilities, fit a temperature on the validation set afterwards.",
    ],
  },
  "d-measurement-noise": {
    diagnosis: "Healthy: the noise is in the measurement",
    cause: "Each point of a mini-batch loss curve is measured on different examples, some easier than others, so the plotted curve jitters even while the weights improve steadily.",
    confirm: "The smooth fixed-set curve you just measured is the confirmation.",
    fix: [
      "Nothing to fix. Plot a running average (for example with weight 0.9) next to the raw values.",
      "Judge progress on the fixed set or the validation set.",
    ],
  },
  "d-noisy-steps": {
    diagnosis: "Noisy steps: batch too small, or rate a bit high",
    cause: "Each step follows a gradient estimated from a small batch. The noise in that estimate shrinks like 1/√B with the batch size B, and the learning rate carries it into the weights, so a small batch with a large rate makes the weights themselves wander.",
    confirm: "Halve the rate, or double the batch size: the fixed-set curve becomes smoother.",
    fix: [
      "Use a larger batch, or accumulate gradients over several batches.",
      "Lower the rate, or decay it with a schedule so that the late steps are small.",
      "Momentum averages the noise over recent steps.",
    ],
  },
  "d-rate-fine-phase": {
    diagnosis: "Rate too high for the fine phase",
    cause: "Early on, big steps make fast progress. Near the bottom of a valley the same steps overshoot from side to side, and mini-batch noise keeps them bouncing, so the loss hovers above the floor it could reach.",
    confirm: "The drop you just saw when the rate went down.",
    fix: [
      "Use a decay schedule (cosine, or steps down by 10 at set epochs) so that the late steps are small.",
      "Or lower the rate whenever the validation loss stops improving for a while.",
    ],
  },
  "d-underfitting": {
    diagnosis: "Underfitting: the model is too small or held back",
    cause: "Training and validation agree and both are poor: the model cannot represent the pattern, or something holds it back (a strong penalty, heavy dropout, too few steps).",
    confirm: "A bigger model, or fewer constraints, lowers the training loss, and the validation loss follows.",
    fix: [
      "Make the model bigger (wider or deeper) or give it better features.",
      "Weaken the regularization.",
      "Train for longer, with a schedule.",
    ],
  },
  "d-saddle": {
    diagnosis: "A saddle or a flat region",
    cause: "The weights crossed a region where the gradient is tiny, often near a saddle point. Progress resumed once a way downhill built up.",
    confirm: "The gradient norm dips during the stall and rises as the loss starts falling again.",
    fix: [
      "Nothing is broken: do not stop a run at its first long flat stretch.",
      "Momentum and Adam cross flat regions faster than plain descent.",
      "Mini-batch noise helps too: noisy steps rarely stay balanced on a saddle.",
    ],
  },
  "d-no-warmup": {
    diagnosis: "Missing warmup",
    cause: "At the start the weights are random, the gradients are large and erratic, and Adam's running averages rest on only a few steps. Full-size steps at this moment jump into steep regions.",
    confirm: "A run with a linear warmup over the first few hundred steps shows no early spikes.",
    fix: [
      "Add a linear warmup (for example over the first 1 to 5% of the steps).",
      "Lower the peak rate.",
      "Clip the gradient norm.",
    ],
  },
  "d-edge-of-stability": {
    diagnosis: "Steps at the edge of stability",
    cause: "The rate is close to the largest the steepest directions allow. When training moves into a sharper region, one step overshoots, the loss jumps, and the following steps work their way back down.",
    confirm: "The spikes line up with jumps in the gradient norm, and a lower peak rate removes them.",
    fix: [
      "Lower the peak rate, or decay it.",
      "Clip the gradient norm.",
      "With Adam, a lower β₂ (say 0.95) or a larger ε damps the oversized steps that follow a long quiet stretch.",
    ],
  },
  "d-train-mode": {
    diagnosis: "Expected: the regularizer only acts in training",
    cause: "Dropout, noise and augmentation make the training examples harder while training and are switched off for evaluation, so the training loss measured with them on is higher than the same model's loss without them.",
    confirm: "Evaluate the model in evaluation mode on a slice of the training set: that loss comes out at or below the validation loss.",
    fix: [
      "Nothing to fix. To compare like with like, measure the training loss in evaluation mode.",
    ],
  },
  "d-epoch-average": {
    diagnosis: "Expected: the averaged training loss lags behind",
    cause: "Averaged over an epoch, the training loss mixes early batches (seen by older, worse weights) with late ones, while the validation loss sees the weights at the end. Early in training, when the weights improve a lot within one epoch, this puts the training curve about half an epoch behind.",
    confirm: "Shift the training curve half an epoch to the left, or measure the training loss at the end of each epoch: the gap closes.",
    fix: [
      "Nothing to fix; compare the curves at matching moments.",
    ],
  },
  "d-split": {
    diagnosis: "The validation set is easier, or it leaks",
    cause: "With the same measurement and no regularizer at work, a lower validation loss means the validation examples differ: easier on average, drawn from a different distribution, too few to be reliable, or overlapping the training set through duplicates or near-duplicates.",
    confirm: "Look for duplicates across the split; compare the distributions of labels and features; try another random split.",
    fix: [
      "Split at random from one pool, or by group (user, patient, time) when examples are linked, and remove duplicates across the split.",
      "Use a larger validation set.",
    ],
  },
  "d-imbalance": {
    diagnosis: "Class imbalance",
    cause: "The loss is an average over examples, so the common class dominates it: the model lowers the loss by getting the majority right and ever more confident, while the rare class, often the one the metric is about, barely moves.",
    confirm: "Compute the metric per class, and compare with a model that always predicts the majority.",
    fix: [
      "Weight the loss by class, or resample so that rare examples appear more often.",
      "Choose the decision threshold on the validation set for the metric you need.",
      "Report per-class metrics.",
    ],
  },
  "d-wrong-objective": {
    diagnosis: "The loss and the metric measure different things",
    cause: "Training improves the loss, not the metric. When the two disagree (squared error on a ranking task, or a loss that rewards more confidence on examples that are already right while the metric counts only the wrong ones), the loss can fall while the metric stays put. A bug in the metric code (argmax over the wrong axis, labels in a different order, a fixed threshold) looks the same.",
    confirm: "Work out the loss and the metric by hand for a few examples, and score the targets themselves with the metric code: it must report a perfect score.",
    fix: [
      "Fix the metric code if it fails that check.",
      "Choose a loss closer to the metric (a ranking loss for ranking, say), and stop early on the metric.",
    ],
  },
  "d-healthy": {
    diagnosis: "Healthy: the run has converged",
    cause: "The smoothed training loss fell and flattened, and the validation loss flattened with it: more steps at this rate no longer help.",
    confirm: "A lower rate or a longer run no longer lowers the validation loss.",
    fix: [
      "Nothing to fix. Keep the checkpoint with the best validation loss.",
      "Further gains come from more data, a bigger model or better features rather than more steps.",
    ],
  },
};

export function isDiagnosis(node) {
  return Boolean(node && typeof node.diagnosis === "string");
}

export function startNode(tree = NODES) {
  if (!tree[START]) throw new Error("the tree has no start node");
  return START;
}

/** The node an answer leads to. Throws on an unknown node, a diagnosis, or a bad answer index. */
export function next(nodeId, answerIndex, tree = NODES) {
  const node = tree[nodeId];
  if (!node) throw new Error(`unknown node ${nodeId}`);
  if (isDiagnosis(node)) throw new Error(`${nodeId} is a diagnosis: it has no answers`);
  const answer = node.answers[answerIndex];
  if (!Number.isInteger(answerIndex) || !answer) throw new Error(`${nodeId} has no answer ${answerIndex}`);
  return answer.next;
}

/**
 * Follow a list of answer indices from the start. Returns { ok, path, end, error }: path
 * holds the node ids visited (start first), end whether the walk stopped at a diagnosis.
 * An invalid step, or answers left over after a diagnosis, makes ok false.
 */
export function walk(answers, tree = NODES) {
  const path = [startNode(tree)];
  for (let i = 0; i < answers.length; i++) {
    const here = path[path.length - 1];
    try {
      path.push(next(here, answers[i], tree));
    } catch (error) {
      return { ok: false, path, end: isDiagnosis(tree[here]), error: `answer ${i + 1}: ${error.message}` };
    }
    if (!tree[path[path.length - 1]]) return { ok: false, path, end: false, error: `answer ${i + 1} leads to a missing node` };
  }
  return { ok: true, path, end: isDiagnosis(tree[path[path.length - 1]]) };
}

/** Every walk from the start to a diagnosis, as lists of answer indices (stops at maxDepth). */
export function allWalks(tree = NODES, maxDepth = 20) {
  const out = [];
  const visit = (id, answers, depth) => {
    const node = tree[id];
    if (!node || isDiagnosis(node) || depth > maxDepth) { out.push(answers); return; }
    node.answers.forEach((_, i) => visit(node.answers[i].next, [...answers, i], depth + 1));
  };
  visit(startNode(tree), [], 0);
  return out;
}

/** Structural problems of a tree, as sentences (empty when it is sound). */
export function problems(tree = NODES) {
  const found = [];
  if (!tree[START]) return [`no start node "${START}"`];
  for (const [id, node] of Object.entries(tree)) {
    if (isDiagnosis(node)) {
      if (!node.cause) found.push(`${id}: diagnosis without a cause`);
      if (!node.confirm) found.push(`${id}: diagnosis without a way to confirm it`);
      if (!Array.isArray(node.fix) || node.fix.length === 0) found.push(`${id}: diagnosis without a fix`);
      if (node.answers) found.push(`${id}: a diagnosis cannot have answers`);
    } else {
      if (!node.question) found.push(`${id}: neither a question nor a diagnosis`);
      if (!Array.isArray(node.answers) || node.answers.length < 2) found.push(`${id}: a question needs at least two answers`);
      for (const answer of node.answers || []) {
        if (!answer.label) found.push(`${id}: an answer without a label`);
        if (!tree[answer.next]) found.push(`${id}: answer "${answer.label}" leads to missing node "${answer.next}"`);
      }
    }
  }
  // cycles (depth-first search with colours) and reachability
  const state = {};
  const visit = (id, trail) => {
    if (state[id] === "open") { found.push(`cycle: ${[...trail, id].join(" → ")}`); return; }
    if (state[id] === "done" || !tree[id]) return;
    state[id] = "open";
    for (const answer of tree[id].answers || []) visit(answer.next, [...trail, id]);
    state[id] = "done";
  };
  visit(START, []);
  for (const id of Object.keys(tree)) if (!state[id]) found.push(`${id}: unreachable from the start`);
  return found;
}

/**
 * Small illustrative loss curves for the first question's answers: arrays of numbers
 * between about 0 and 1 (higher is worse), `train` always, `val` where the shape needs
 * a second curve, and `metric` for the loss-versus-metric case. Not data: sketches.
 */
export function sketch(kind, n = 48) {
  const normal = normalSampler(mulberry32(kind.length * 7919 + 17));
  const t = Array.from({ length: n }, (_, i) => i / (n - 1));
  const decay = (x, rate, floor) => floor + (0.9 - floor) * Math.exp(-rate * x);
  switch (kind) {
    case "nan":
      // falls, turns, shoots up, then stops: the values after that are NaN
      return { train: t.map((x) => (x < 0.7 ? decay(x, 4, 0.3) + 0.02 * (Math.exp(12 * Math.max(0, x - 0.4)) - 1) : NaN)) };
    case "flat":
      return { train: t.map(() => 0.8 + 0.01 * normal()) };
    case "overfit":
      return { train: t.map((x) => decay(x, 5, 0.1)), val: t.map((x) => decay(x, 5, 0.25) + 0.6 * Math.max(0, x - 0.4) ** 2) };
    case "noisy":
      return { train: t.map((x) => decay(x, 3, 0.2) + 0.08 * normal()) };
    case "plateau":
      return { train: t.map((x) => decay(x, 12, 0.5)) };
    case "stall":
      return { train: t.map((x) => (x < 0.55 ? decay(x, 10, 0.55) : 0.55 - 0.35 * (1 - Math.exp(-8 * (x - 0.55))))) };
    case "spikes":
      return { train: t.map((x, i) => decay(x, 4, 0.15) + ([14, 31].includes(i) ? 0.45 : [15, 32].includes(i) ? 0.15 : 0)) };
    case "train-above":
      return { train: t.map((x) => decay(x, 4, 0.3)), val: t.map((x) => decay(x, 4, 0.2) - 0.05) };
    case "metric":
      return { train: t.map((x) => decay(x, 4, 0.15)), metric: t.map((x) => 0.6 + 0.02 * Math.sin(9 * x)) };
    case "healthy":
      return { train: t.map((x) => decay(x, 5, 0.1)), val: t.map((x) => decay(x, 5, 0.16)) };
    default:
      throw new Error(`no sketch ${kind}`);
  }
}
