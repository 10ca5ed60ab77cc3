/**
 * Gamma-distributed random numbers from uniform ones, by Marsaglia and Tsang's method ("A simple
 * method for generating gamma variables", 2000): a squeezed rejection from a cubed normal, which
 * accepts over 95% of tries for any shape. Shapes below 1 draw Gamma(shape + 1) and scale it by
 * U^(1/shape). Standard normals come from the Box-Muller transform. Only the `random` passed in is
 * used, so a seeded generator gives the same draws on every platform. Gamma arrivals
 * (load/shapes/arrival-gamma.ts) and compare's Beta draws (compare/bootstrap.ts) both draw here.
 */

/** A standard normal draw (Box-Muller, one of the pair). `random` gives uniform numbers in [0, 1). */
export function normalSample(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(u) is finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A draw from Gamma(shape, scale 1): mean `shape`, variance `shape`, so CV^2 = 1/shape. Multiply
 * by a scale for other means. `shape` must be above 0.
 */
export function gammaSample(shape: number, random: () => number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new Error(`a gamma shape must be a finite number above 0, got ${shape}`);
  // Gamma(a) = Gamma(a + 1) * U^(1/a) for a < 1; 1 - random() is in (0, 1].
  if (shape < 1) return gammaSample(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalSample(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    // The squeeze (most draws end there), then the exact test.
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
