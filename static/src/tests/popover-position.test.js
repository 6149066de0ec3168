import { test } from "node:test";
import assert from "node:assert/strict";

import { popoverPosition } from "../lesson/popover-position.js";

const viewport = { width: 1000, height: 800, scrollX: 0, scrollY: 2000 };
const size = { width: 352, height: 200 };

test("it opens right under its term, at the term's left edge", () => {
  const term = { left: 300, top: 100, bottom: 120 };
  assert.deepEqual(popoverPosition(term, size, viewport), { left: 300, top: 2126 });
});

test("near the bottom of the window it opens above the term", () => {
  const term = { left: 300, top: 700, bottom: 720 };
  assert.deepEqual(popoverPosition(term, size, viewport), { left: 300, top: 2000 + 700 - 6 - 200 });
});

test("it never leaves the window on the right or the left", () => {
  const right = popoverPosition({ left: 900, top: 100, bottom: 120 }, size, viewport);
  assert.equal(right.left, 1000 - 352 - 8);
  const left = popoverPosition({ left: -40, top: 100, bottom: 120 }, size, viewport);
  assert.equal(left.left, 8);
});

test("a pop-over taller than either side goes where there is more room", () => {
  const tall = { width: 352, height: 900 };
  const low = popoverPosition({ left: 10, top: 600, bottom: 620 }, tall, viewport);
  assert.equal(low.top, 2000 + 8);
  const high = popoverPosition({ left: 10, top: 100, bottom: 120 }, tall, viewport);
  assert.equal(high.top, 2000 + 126);
});
