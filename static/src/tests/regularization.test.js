import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEGREE, NOISE, DEFAULT_TRAIN, LOG_LAMBDAS, TRAIN_POOL, VALIDATION, makeData, firstN, powers, columnStats,
  cholesky, solveSpd, ridgeSolve, fitRidge, mse, norm, lambdaSweep, bestLambda, trueFunction,
} from "../math/regularization.js";

const close = (a, b, tol) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

test("Cholesky solves a small symmetric positive definite system", () => {
  const A = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]];
  const L = cholesky(A);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let v = 0;
    for (let k = 0; k < 3; k++) v += L[i][k] * L[j][k];
    close(v, A[i][j], 1e-12);
  }
  const x = solveSpd(A, [1, 2, 3]);
  A.forEach((row, i) => close(row.reduce((s, a, j) => s + a * x[j], 0), [1, 2, 3][i], 1e-12));
  assert.throws(() => cholesky([[1, 2], [2, 1]]), /positive definite/);
});

test("ridgeSolve satisfies (XᵀX + penalty·I) w = Xᵀy", () => {
  const X = [[1, 2], [0.5, -1], [3, 0.2], [-1, 1]];
  const y = [1, 0, 2, -1];
  const penalty = 0.7;
  const w = ridgeSolve(X, y, penalty);
  for (let a = 0; a < 2; a++) {
    let lhs = penalty * w[a];
    let rhs = 0;
    X.forEach((row, i) => { lhs += row[a] * (row[0] * w[0] + row[1] * w[1]); rhs += row[a] * y[i]; });
    close(lhs, rhs, 1e-12);
  }
});

test("the data are seeded: the same seed gives the same points", () => {
  assert.deepEqual(makeData(20, 39), firstN(TRAIN_POOL, 20));
  assert.notDeepEqual(makeData(20, 40).x, firstN(TRAIN_POOL, 20).x);
  assert.ok(TRAIN_POOL.x.every((x) => x >= -1 && x <= 1));
  // the noise has about the advertised size
  const residuals = VALIDATION.x.map((x, i) => VALIDATION.y[i] - trueFunction(x));
  close(Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length), NOISE, 0.05);
});

test("features are standardized on the training set", () => {
  const model = fitRidge(firstN(TRAIN_POOL, 30), 0.01);
  const { mean, std } = columnStats(model.features);
  mean.forEach((m) => close(m, 0, 1e-12));
  std.forEach((s) => close(s, 1, 1e-12));
  assert.equal(powers([2], 3)[0].join(","), "2,4,8");
});

test("λ = 0 with more points than features gives least squares: the residual is orthogonal to every feature", () => {
  for (const n of [12, 30, 200]) {
    const train = firstN(TRAIN_POOL, n);
    const model = fitRidge(train, 0);
    const r = train.x.map((x, i) => train.y[i] - model.predict(x));
    close(r.reduce((a, b) => a + b, 0), 0, 1e-9); // orthogonal to the constant (intercept) column
    for (let j = 0; j < DEGREE; j++) {
      const column = model.features.map((row) => row[j]);
      const dot = column.reduce((s, z, i) => s + z * r[i], 0);
      assert.ok(Math.abs(dot) <= 1e-7 * norm(column) * norm(r), `n = ${n}, feature ${j + 1}: zᵀr = ${dot}`);
    }
    // and least squares is the best fit there is: nudging any weight raises the training error
    const base = mse(model, train);
    for (let j = 0; j < DEGREE; j++) {
      const nudged = { ...model, predict: (x) => model.predict(x) + 1e-3 * ((x ** (j + 1) - model.mean[j]) / model.std[j]) };
      assert.ok(mse(nudged, train) > base);
    }
  }
});

test("as λ grows the training error never decreases and the weights' norm never increases", () => {
  for (const n of [10, DEFAULT_TRAIN, 40, 200]) {
    const sweep = lambdaSweep(firstN(TRAIN_POOL, n), VALIDATION);
    for (let i = 1; i < sweep.length; i++) {
      assert.ok(sweep[i].train >= sweep[i - 1].train * (1 - 1e-9), `n = ${n}: training error fell from λ = ${sweep[i - 1].lambda} to ${sweep[i].lambda}`);
      assert.ok(sweep[i].weightNorm <= sweep[i - 1].weightNorm * (1 + 1e-9), `n = ${n}: |w| grew at λ = ${sweep[i].lambda}`);
    }
  }
});

test("with the default data, validation error at the best λ is below both ends of the grid", () => {
  const sweep = lambdaSweep(firstN(TRAIN_POOL, DEFAULT_TRAIN), VALIDATION);
  const best = bestLambda(sweep);
  const [smallest, largest] = [sweep[0], sweep[sweep.length - 1]];
  assert.ok(best.logLambda > LOG_LAMBDAS[0] && best.logLambda < LOG_LAMBDAS[LOG_LAMBDAS.length - 1]);
  // overfitting at the small end: validation far above training and far above the best
  assert.ok(smallest.validation > 5 * best.validation, `${smallest.validation} vs ${best.validation}`);
  assert.ok(smallest.validation > 10 * smallest.train);
  // underfitting at the large end: both errors high
  assert.ok(largest.validation > 3 * best.validation && largest.train > 3 * best.train);
  // and the best fit is within reach of the noise floor
  assert.ok(best.validation < 1.5 * NOISE ** 2, `${best.validation}`);
});

test("the default data's validation curve has one dip (no misleading wiggles) for 10 to 40 examples", () => {
  for (let n = 10; n <= 40; n++) {
    const v = lambdaSweep(firstN(TRAIN_POOL, n), VALIDATION).map((r) => r.validation);
    let dips = 0;
    for (let i = 1; i < v.length - 1; i++) {
      if (!(v[i] < v[i - 1] && v[i] < v[i + 1])) continue;
      let l = i;
      let r = i;
      while (l > 0 && v[l - 1] >= v[l]) l--;
      while (r < v.length - 1 && v[r + 1] >= v[r]) r++;
      if (Math.min(v[l], v[r]) > 1.02 * v[i]) dips += 1;
    }
    assert.ok(dips <= 1, `n = ${n}: ${dips} dips`);
  }
});

test("more training data shrinks the gap between validation and training error at small λ", () => {
  const gap = (n, logLambda) => {
    const train = firstN(TRAIN_POOL, n);
    const model = fitRidge(train, 10 ** logLambda);
    return mse(model, VALIDATION) - mse(model, train);
  };
  for (const logLambda of [-8, -6]) {
    const gaps = [DEFAULT_TRAIN, 60, 200].map((n) => gap(n, logLambda));
    assert.ok(gaps[0] > 5 * gaps[1] && gaps[1] > gaps[2], `${gaps}`);
    assert.ok(gaps[2] < 0.02, `${gaps[2]}`);
  }
});
