/**
 * L2-regularised logistic regression by Newton's method (issue 12: the confidence model). Small and
 * exact for a handful of features and a few hundred rows; features are used as they are (they are
 * all shares or small logs), the intercept is not penalised.
 */

export interface LogisticFit {
  intercept: number;
  weights: number[];
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Solves A x = b for a small symmetric positive definite A (Gaussian elimination with pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r += 1) {
      if (r === col || m[col][col] === 0) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c += 1) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]));
}

/**
 * @param negativeWeight how much a negative row (a wrong answer) counts against a positive one: above 1
 *   the fit is cost-sensitive, its output the odds of being right divided by this weight.
 */
export function fitLogistic(xs: readonly number[][], ys: readonly boolean[], l2 = 0.01, negativeWeight = 1, iterations = 50): LogisticFit {
  const d = (xs[0]?.length ?? 0) + 1;
  let beta = new Array<number>(d).fill(0);
  const rows = xs.map((x) => [1, ...x]);
  for (let it = 0; it < iterations; it += 1) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    rows.forEach((x, i) => {
      const p = sigmoid(x.reduce((s, v, j) => s + v * beta[j], 0));
      const c = ys[i] ? 1 : negativeWeight;
      const err = c * (p - (ys[i] ? 1 : 0));
      const w = c * Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < d; j += 1) {
        grad[j] += err * x[j];
        for (let k = 0; k < d; k += 1) hess[j][k] += w * x[j] * x[k];
      }
    });
    for (let j = 1; j < d; j += 1) {
      grad[j] += l2 * rows.length * beta[j];
      hess[j][j] += l2 * rows.length;
    }
    const step = solve(hess, grad);
    beta = beta.map((b, j) => b - step[j]);
    if (step.every((s) => Math.abs(s) < 1e-9)) break;
  }
  return { intercept: beta[0], weights: beta.slice(1) };
}

export function predict(fit: LogisticFit, x: readonly number[]): number {
  return sigmoid(fit.intercept + x.reduce((s, v, j) => s + v * fit.weights[j], 0));
}
