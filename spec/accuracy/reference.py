#!/usr/bin/python3
"""
Writes spec/accuracy/table.json: every elementwise function of
src/activations/ and its derivative, and the log-softmax, softmax and cross
entropy of a set of rows with their gradients,
evaluated in mpmath at 200 bits (about 60 digits) at float64 points x, that is
at the exact binary value of each x, never at a decimal near it.

Each value is stored as [hi, lo]: hi the float64 nearest the exact value
(correctly rounded, subnormals included) and lo the rest, exact value - hi,
rounded to 3 digits. So a spec can measure an error in ulps
without a multiprecision library (to a few thousandths of an ulp).

Every formula here is written so that mpmath itself has nothing to cancel
(sigma(-x) directly, never 1 - sigma(x); sech^2 as 1 / cosh^2): at 200 bits the
results are correct to far more digits than a float64 has.

Run: /usr/bin/python3 spec/accuracy/reference.py      (mpmath 1.2.1; no other dependency)
"""
import json
import math
import random
from mpmath import mp, mpf

mp.prec = 200

# ---------------------------------------------------------------- the points

def points():
    rnd = random.Random(16)
    xs = set()
    # the interior, where most inputs live: 80 points spread over [-12, 12]
    for _ in range(80):
        xs.add(rnd.uniform(-12, 12))
    # the tails: |x| = 10^e with a random mantissa, e from -300 to 2.87 (|x| < 750), both signs
    for i in range(70):
        e = -300 + (302.87 + 300) * i / 69
        m = rnd.uniform(1, 10)
        v = m * 10 ** (e - 1) if e > -299 else 10 ** e
        xs.add(v)
        xs.add(-v)
    # the saturation and underflow edges of exp and of erfc
    for v in [15, 17.5, 19, 20.5, 25, 30, 36, 37.5, 38.3, 40, 45, 60, 100, 300, 700, 708.5, 709.7, 740, 744, 745.1]:
        xs.add(float(v) + rnd.uniform(0, 0.01))
        xs.add(-float(v) - rnd.uniform(0, 0.01))
    # exact kinks, joins and thresholds: relu/leaky_relu/elu/selu at 0, softplus's threshold 20
    # (beta 1) and 10 (beta 2), Cody's joins 0.46875 and 4 seen through x / sqrt 2, softplus's log1p
    # switch at 0, the smallest subnormal and normal
    for v in [0.0, 20.0, 10.0, 0.46875 * math.sqrt(2), 4 * math.sqrt(2), 1.0, -1.0, 0.5, -0.5,
              5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, 1e-8, -1e-8]:
        xs.add(v)
    return sorted(xs)

# ---------------------------------------------------------------- the functions (exact)

def sig(x):
    # sigma(x), written for each sign so that nothing cancels
    return 1 / (1 + mp.exp(-x)) if x >= 0 else mp.exp(x) / (1 + mp.exp(x))

def softplus1(x):
    # log(1 + e^x)
    return x + mp.log1p(mp.exp(-x)) if x > 0 else mp.log1p(mp.exp(x))

def sech2(x):
    return 1 / mp.cosh(x) ** 2

SELU_ALPHA = mpf('1.6732632423543772848170429916717')
SELU_SCALE = mpf('1.0507009873554804934193349852946')
SQRT_2_OVER_PI = mp.sqrt(2 / mp.pi)
KAPPA = mpf('0.044715')
GELU_K = mpf('1.702')  # gelu's approximate "sigmoid" form, x sigma(1.702 x)
SLOPE = mpf(0.01)  # leaky_relu's default negative_slope, the float64 0.01 exactly

def erfc(t):
    # mpmath's erfc fails on huge arguments; beyond |t| = 1e4 erfc(t) is 0 or 2 far below
    # float64's resolution (e^-1e8 underflows), which is all the table needs
    if t > 10000:
        return mpf(0)
    if t < -10000:
        return mpf(2)
    return mp.erfc(t)

def erf(t):
    return 1 - erfc(t) if abs(t) > 1 else mp.erf(t)

def Phi(x):
    return erfc(-x / mp.sqrt(2)) / 2

def phi(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)

def gelu_u(x):
    return SQRT_2_OVER_PI * (x + KAPPA * x ** 3)

def softplus_beta(beta, threshold):
    b = mpf(beta)
    def f(x):
        return x if b * x > threshold else softplus1(b * x) / b
    def df(x):
        return mpf(1) if b * x > threshold else sig(b * x)
    return f, df

sp1 = softplus_beta(1, 20)
sp2 = softplus_beta(2, 20)

# name: (f, f'), each f(x) for an exact mpf x. At a kink the derivative is the case format's
# convention (relu'(0) = 0, leaky_relu'(0) = slope, elu'(0) = alpha, selu'(0) = scale alpha).
FUNCTIONS = {
    'relu': (lambda x: x if x > 0 else mpf(0), lambda x: mpf(1) if x > 0 else mpf(0)),
    'leaky_relu': (lambda x: x if x > 0 else SLOPE * x, lambda x: mpf(1) if x > 0 else SLOPE),
    'sigmoid': (sig, lambda x: sig(x) * sig(-x)),
    'tanh': (mp.tanh, sech2),
    'softsign': (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    'silu': (lambda x: x * sig(x), lambda x: sig(x) * (1 + x * sig(-x))),
    'mish': (lambda x: x * mp.tanh(softplus1(x)), lambda x: mp.tanh(softplus1(x)) + x * sig(x) * sech2(softplus1(x))),
    'log_sigmoid': (lambda x: -softplus1(-x), lambda x: sig(-x)),
    'elu': (lambda x: x if x > 0 else mp.expm1(x), lambda x: mpf(1) if x > 0 else mp.exp(x)),
    'selu': (lambda x: SELU_SCALE * x if x > 0 else SELU_SCALE * SELU_ALPHA * mp.expm1(x),
             lambda x: SELU_SCALE if x > 0 else SELU_SCALE * SELU_ALPHA * mp.exp(x)),
    'gelu': (lambda x: x * Phi(x), lambda x: Phi(x) + x * phi(x)),
    'gelu_tanh': (lambda x: x * sig(2 * gelu_u(x)),
                  lambda x: sig(2 * gelu_u(x)) + 2 * x * sig(2 * gelu_u(x)) * sig(-2 * gelu_u(x)) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x)),
    'gelu_sigmoid': (lambda x: x * sig(GELU_K * x), lambda x: sig(GELU_K * x) + GELU_K * x * sig(GELU_K * x) * sig(-GELU_K * x)),
    'softplus': sp1,
    'softplus_beta2': sp2,
    # not ops, but what gelu's accuracy rests on: erf and erfc at x itself (df is erfc)
    'erf': (erf, erfc),
}

# ---------------------------------------------------------------- float64 rounding

TINY = mpf(2) ** -1074
MAXF = mpf(2) ** 1024 * (1 - mpf(2) ** -54)

def f64(v):
    """The float64 nearest v, ties to even, with gradual underflow and overflow."""
    if v == 0:
        return 0.0
    if abs(v) >= MAXF:
        return math.inf if v > 0 else -math.inf
    if abs(v) < mpf(2) ** -1022:
        n = int(mp.nint(v / TINY))  # nint rounds half to even
        return math.ldexp(n, -1074)
    e = int(mp.floor(mp.log(abs(v), 2)))
    q = mpf(2) ** (e - 52)
    n = int(mp.nint(v / q))
    return math.ldexp(n, e - 52)

def pair(v):
    hi = f64(v)
    if math.isinf(hi):
        return [('inf' if hi > 0 else '-inf'), 0]
    lo = v - mpf(hi)
    return [hi, float('%.3g' % float(lo)) if lo != 0 else 0]

# ---------------------------------------------------------------- rows for log-softmax and log-sum-exp

def rows():
    rnd = random.Random(1616)
    out = []
    for i in range(40):
        n = 1 + i % 6
        scale = [1, 10, 100, 1e3, 1e4][i % 5]
        offset = [0, 0, 1e3, -1e3, 1e5, -1e6, 0.5][i % 7]
        out.append([offset + rnd.uniform(-scale, scale) for _ in range(n)])
    out.append([-1000.0] * 4)                 # a row of -1000s: exp underflows for every entry without the shift
    out.append([1000.0] * 3)                  # and of +1000s: exp overflows without it
    out.append([-1000.0, -1000.5, -999.25])
    out.append([1e-300, -1e-300, 0.0])
    out.append([700.0, 0.0, -700.0])
    out.append([1e5 + 0.25, 1e5, 1e5 - 0.5])   # a large common offset, small gaps
    return out

def log_softmax(row):
    xs = [mpf(v) for v in row]
    lse = mp.log(mp.fsum(mp.exp(v) for v in xs))
    return [v - lse for v in xs]

def main():
    xs = points()
    table = {'precision_bits': mp.prec, 'x': xs, 'functions': {}, 'rows': []}
    for name, (f, df) in FUNCTIONS.items():
        vals, ders = [], []
        for x in xs:
            X = mpf(x)
            vals.append(pair(f(X)))
            ders.append(pair(df(X)))
        table['functions'][name] = {'f': vals, 'df': ders}
    for row in rows():
        ls = log_softmax(row)
        p = [mp.exp(v) for v in ls]
        n = len(row)
        # the VJPs with cotangent g = [1, 2, ..., n]; cross entropy's gradient for class n // 2, reduction sum
        g = [mpf(k + 1) for k in range(n)]
        sg = mp.fsum(g)
        gy = mp.fsum(g[k] * p[k] for k in range(n))
        t = n // 2
        table['rows'].append({
            'x': row, 'log_softmax': [pair(v) for v in ls], 'softmax': [pair(v) for v in p],
            'log_softmax_vjp': [pair(g[k] - p[k] * sg) for k in range(n)],
            'softmax_vjp': [pair(p[k] * (g[k] - gy)) for k in range(n)],
            'ce_target': t, 'ce_grad': [pair(p[k] - (1 if k == t else 0)) for k in range(n)],
        })
    with open('spec/accuracy/table.json', 'w') as fh:
        json.dump(table, fh, separators=(',', ':'))
        fh.write('\n')

if __name__ == '__main__':
    main()
