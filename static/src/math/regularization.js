// Ridge regression on polynomial features, solved in closed form, for the regularization
// widget (lesson 13). The data are seeded draws of a smooth curve plus noise, so every
// reader sees the same picture and the tests can pin it.
//
// The model is ŷ(x) = b + Σ_j w_j z_j(x), where z_j is x^j standardized with the training
// set's mean and standard deviation (j = 1..degree). It minimizes the lesson's loss
//   (1/n) Σ_i (ŷ(x_i) − y_i)² + λ Σ_j w_j²
// with the intercept b left out of the penalty. Centring the features and the targets
// separates b (it is the mean of y) from w, which then solves the normal equations
//   (ZᵀZ + nλ I) w = Zᵀ(y − ȳ).
import { mulberry32, normalSampler } from "./random.js";

export const DEGREE = 9;
export const NOISE = 0.3;
export const X_RANGE = [-1, 1];
export const MAX_TRAIN = 200;
/** The λ grid of the widget's error curves: log10 λ from −8 to 1 in steps of 0.1. */
export const LOG_LAMBDAS = Array.from({ length: 91 }, (_, i) => Number((-8 + i * 0.1).toFixed(1)));

/** The smooth curve behind the data. */
export function trueFunction(x) {
  return Math.sin(3 * x) + 0.3 * x;
}

/** n seeded points: x uniform on X_RANGE, y = trueFunction(x) + NOISE · standard normal. */
export function makeData(n, seed, noise = NOISE) {
  const uniform = mulberry32(seed);
  const normal = normalSampler(mulberry32(seed ^ 0x5f3759df));
  const x = [];
  const y = [];
  for (let i = 0; i < n; i++) {
    const xi = X_RANGE[0] + (X_RANGE[1] - X_RANGE[0]) * uniform();
    x.push(xi);
    y.push(trueFunction(xi) + noise * normal());
  }
  return { x, y };
}

/**
 * The training pool (the widget uses its first n points) and the validation set. Seed 39
 * was picked (by scanning seeds) because its validation curves for 10 to 40 examples have
 * one clear dip each, so the picture is not muddied by wiggles that a different draw of
 * 15 points could put there; the tests check the claims the widget makes about it.
 */
export const DEFAULT_TRAIN = 15;
export const TRAIN_POOL = makeData(MAX_TRAIN, 39);
export const VALIDATION = makeData(300, 29);

export function firstN({ x, y }, n) {
  return { x: x.slice(0, n), y: y.slice(0, n) };
}

/** Rows [x, x², ..., x^degree]. */
export function powers(xs, degree = DEGREE) {
  return xs.map((x) => {
    const row = [];
    let p = 1;
    for (let j = 1; j <= degree; j++) { p *= x; row.push(p); }
    return row;
  });
}

/** Column means and standard deviations of a matrix given as rows. */
export function columnStats(rows) {
  const n = rows.length;
  const d = rows[0].length;
  const mean = Array(d).fill(0);
  const std = Array(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / n;
  return { mean, std: std.map((v) => Math.sqrt(v) || 1) };
}

/** Cholesky factor L (lower triangular, A = L Lᵀ) of a symmetric positive definite matrix. */
export function cholesky(A) {
  const n = A.length;
  const L = A.map(() => Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i][j];
      for (let k = 0; k < j; k++) sum -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(sum > 0)) throw new Error("matrix is not positive definite");
        L[i][i] = Math.sqrt(sum);
      } else {
        L[i][j] = sum / L[j][j];
      }
    }
  }
  return L;
}

/** Solve A x = b for symmetric positive definite A by Cholesky and two triangular solves. */
export function solveSpd(A, b) {
  const L = cholesky(A);
  const n = b.length;
  const z = Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i][k] * z[k];
    z[i] = sum / L[i][i];
  }
  const x = Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < n; k++) sum -= L[k][i] * x[k];
    x[i] = sum / L[i][i];
  }
  return x;
}

/** w solving (XᵀX + penalty·I) w = Xᵀy, for X given as rows. */
export function ridgeSolve(X, y, penalty) {
  const d = X[0].length;
  const A = Array.from({ length: d }, () => Array(d).fill(0));
  const rhs = Array(d).fill(0);
  X.forEach((row, i) => {
    for (let a = 0; a < d; a++) {
      rhs[a] += row[a] * y[i];
      for (let b = 0; b <= a; b++) A[a][b] += row[a] * row[b];
    }
  });
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) A[b][a] = A[a][b];
    A[a][a] += penalty;
  }
  return solveSpd(A, rhs);
}

/**
 * Fit ridge regression to ({x, y}) with penalty λ on the lesson's scale (mean squared
 * error + λ Σ w²). Returns the weights, the intercept, the standardization and predict().
 */
export function fitRidge({ x, y }, lambda, degree = DEGREE) {
  const n = x.length;
  const raw = powers(x, degree);
  const { mean, std } = columnStats(raw);
  const Z = raw.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const weights = ridgeSolve(Z, y.map((v) => v - yMean), n * lambda);
  const predict = (xi) => {
    let out = yMean;
    let p = 1;
    for (let j = 0; j < degree; j++) { p *= xi; out += weights[j] * ((p - mean[j]) / std[j]); }
    return out;
  };
  return { weights, intercept: yMean, mean, std, degree, lambda, predict, features: Z };
}

export function mse(model, { x, y }) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (model.predict(x[i]) - y[i]) ** 2;
  return sum / x.length;
}

export function norm(v) {
  return Math.sqrt(v.reduce((a, b) => a + b * b, 0));
}

/** Training and validation MSE and the weights' norm for every λ of a log10 grid. */
export function lambdaSweep(train, validation, logLambdas = LOG_LAMBDAS, degree = DEGREE) {
  return logLambdas.map((logLambda) => {
    const model = fitRidge(train, 10 ** logLambda, degree);
    return { logLambda, lambda: 10 ** logLambda, train: mse(model, train), validation: mse(model, validation), weightNorm: norm(model.weights) };
  });
}

/** The grid entry with the lowest validation error. */
export function bestLambda(sweep) {
  return sweep.reduce((best, row) => (row.validation < best.validation ? row : best));
}
