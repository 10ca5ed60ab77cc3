/**
 * The symbolic check of the math grader: both answers parsed from LaTeX by the Cortex Compute
 * Engine (MIT; parses LaTeX to MathJSON and decides equality of numbers, tuples, sets, matrices and
 * expressions), then compared: structurally equal, or equal by the engine's `isEqual` (which
 * evaluates both sides), or, for two real numbers, within 1e-6 relative. Anything the engine cannot
 * parse or decide is "not equal", never an error.
 */
import { ComputeEngine } from '@cortex-js/compute-engine';

let engine: ComputeEngine | undefined;
function ce(): ComputeEngine {
  return (engine ??= new ComputeEngine());
}

/** Longer answers are compared as strings only: parsing and evaluating them is not worth it. */
const MAX_SYMBOLIC_CHARS = 300;

type Expr = NonNullable<ReturnType<ComputeEngine["parse"]>>;

function parse(latex: string): Expr | undefined {
  try {
    const e = ce().parse(latex);
    if (!e || !e.isValid) return undefined;
    return e;
  } catch {
    return undefined;
  }
}

function numericValue(e: Expr): number | undefined {
  try {
    const n = e.N();
    const v = n.re;
    if (typeof v === 'number' && Number.isFinite(v) && (n.im === 0 || n.im === undefined || Number.isNaN(n.im))) return v;
  } catch {
    /* not a number */
  }
  return undefined;
}

export function symbolicEqual(a: string, b: string): boolean {
  if (a.length > MAX_SYMBOLIC_CHARS || b.length > MAX_SYMBOLIC_CHARS) return false;
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  try {
    if (x.isSame(y)) return true;
    if (x.operator !== y.operator && (isCollection(x) || isCollection(y))) return false;
    if (x.isEqual(y) === true) return true;
  } catch {
    /* undecided */
  }
  const u = numericValue(x);
  const v = numericValue(y);
  if (u !== undefined && v !== undefined) return close(u, v);
  return samePointValues(x, y);
}

function close(u: number, v: number): boolean {
  return Math.abs(u - v) <= 1e-9 || Math.abs(u - v) <= 1e-6 * Math.max(Math.abs(u), Math.abs(v));
}

/** Points where two expressions of the same free variables are evaluated (fixed: grading is reproducible). */
const POINTS = [0.6180339, 1.4142135, 2.7182818, -0.5772156, 3.1415926];

/**
 * Two expressions in the same free variables that agree at several points are taken as equal
 * (`x^2+2x+1` and `(x+1)^2`, which the engine's isEqual leaves undecided).
 */
function samePointValues(x: Expr, y: Expr): boolean {
  if (isCollection(x) || isCollection(y)) return false;
  let vars: string[];
  try {
    vars = [...x.unknowns].sort();
    const other = [...y.unknowns].sort();
    if (vars.length === 0 || vars.length > 4 || vars.join(',') !== other.join(',')) return false;
  } catch {
    return false;
  }
  let compared = 0;
  for (let k = 0; k < POINTS.length; k++) {
    const subs: Record<string, number> = {};
    vars.forEach((name, i) => (subs[name] = POINTS[(k + i) % POINTS.length]!));
    let u: number | undefined;
    let v: number | undefined;
    try {
      u = numericValue(x.subs(subs));
      v = numericValue(y.subs(subs));
    } catch {
      return false;
    }
    if (u === undefined && v === undefined) continue;
    if (u === undefined || v === undefined || !close(u, v)) return false;
    compared++;
  }
  return compared >= 3;
}

const COLLECTIONS = new Set(['Tuple', 'List', 'Set', 'Matrix', 'Interval', 'Delimiter', 'Pair', 'Triple', 'Sequence']);
function isCollection(e: Expr): boolean {
  return COLLECTIONS.has(e.operator);
}
