// How a check's failing input reads on the page. The grader sends summaries made by
// grading.compare.summarize: small arrays as {array, shape}, large ones as {shape,
// first}, non-finite floats as strings ("nan", "inf"), test functions as their repr.

/** A number as a person would write it: up to 6 significant digits, no float noise. */
export function formatNumber(v) {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    const [mantissa, exponent] = v.toExponential(4).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  return trimZeros(v.toPrecision(6));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, ".0") : text;
}

export function formatShape(shape) {
  if (!Array.isArray(shape) || shape.length === 0) return "scalar";
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function isArraySummary(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Array.isArray(v.shape) && ("array" in v || "first" in v);
}

function nested(v) {
  if (Array.isArray(v)) return `[${v.map(nested).join(", ")}]`;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  return typeof v === "number" ? formatNumber(v) : String(v);
}

/** One value of a failing input, as Python-like text. */
export function formatValue(v) {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (isArraySummary(v)) {
    if ("array" in v) {
      if (v.shape.length === 0) return nested(v.array);
      return `array(${nested(v.array)})  shape ${formatShape(v.shape)}`;
    }
    const total = v.shape.reduce((a, b) => a * b, 1);
    return `array of shape ${formatShape(v.shape)} (${total} values), starting ${nested(v.first)} …`;
  }
  // A test function, as the statement would write it ("the gradient of f(x) = Σ xᵢ²").
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "function" && typeof v.function === "string") return v.function;
  if (typeof v === "object") {
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`).join(", ")}}`;
  }
  return String(v);
}

/** Parameter names from a signature such as "adam_step(w, grad, m, v, t, lr=1e-3) -> (w, m, v)". */
export function signatureParams(signature) {
  const match = /\(([^)]*)\)/.exec(signature || "");
  if (!match) return [];
  return match[1]
    .split(",")
    .map((p) => p.trim().replace(/^\*+/, "").split(/[=:]/)[0].trim())
    .filter((p) => p && p !== "self" && p !== "/");
}

/**
 * Rows of a failing input: [{name, value}], with the grader's positional names (arg1,
 * arg2, ...) replaced by the signature's own parameter names when it has them, in the
 * signature's order (the database keeps a result's keys in an order of its own).
 */
export function failingInputRows(input, signature) {
  if (!input || typeof input !== "object") return [];
  const params = signatureParams(signature);
  const rows = Object.entries(input).map(([key, value]) => {
    const positional = /^arg(\d+)$/.exec(key);
    const name = positional ? params[Number(positional[1]) - 1] || `argument ${positional[1]}` : key;
    return { name, value: formatValue(value) };
  });
  const place = (row) => (params.includes(row.name) ? params.indexOf(row.name) : params.length);
  return rows.map((row, index) => ({ row, index }))
    .sort((a, b) => place(a.row) - place(b.row) || a.index - b.index)
    .map(({ row }) => row);
}

export function formatPercent(score) {
  if (score === null || score === undefined || !Number.isFinite(score)) return "";
  return `${Math.round(score * 100)}%`;
}

export function formatPoints(earned, points) {
  return `${formatNumber(Math.round(earned * 100) / 100)} / ${formatNumber(Math.round(points * 100) / 100)} pt`;
}
