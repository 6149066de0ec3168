// Where a glossary pop-over goes: right under its term, starting at the term's left edge,
// or right above it when there is no room below; always inside the viewport (8 px from
// its edges). Pure: page coordinates in, page coordinates out.
const GAP = 6;
const EDGE = 8;

export function popoverPosition(term, size, viewport) {
  // term: the link's client rect {left, top, bottom}; size: {width, height} of the
  // pop-over; viewport: {width, height, scrollX, scrollY}.
  const maxLeft = viewport.width - size.width - EDGE;
  const left = Math.max(EDGE, Math.min(term.left, maxLeft));
  const roomBelow = viewport.height - term.bottom - GAP - EDGE;
  const roomAbove = term.top - GAP - EDGE;
  let top;
  if (size.height <= roomBelow || roomBelow >= roomAbove) {
    top = term.bottom + GAP;
  } else {
    top = Math.max(EDGE, term.top - GAP - size.height);
  }
  return { left: left + viewport.scrollX, top: top + viewport.scrollY };
}
