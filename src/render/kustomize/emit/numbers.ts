/**
 * Go's strconv.FormatFloat(f, 'g', -1, 64), which go-yaml v2 uses for floats: shortest
 * digits, exponent form when the exponent is below -4 or at least 6 (the threshold Go uses
 * for shortest precision), with a two-digit minimum exponent (`1e-05`).
 */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  const exp = f.toExponential(); // shortest round-trip digits, e.g. "1.2345675e+7"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) return String(f);
  const [, sign, d0, rest = '', e] = m;
  const digits = d0! + rest;
  const x = Number(e);
  if (x < -4 || x >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ax = Math.abs(x);
    return `${sign}${mant}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (x < 0) return `${sign}0.${'0'.repeat(-x - 1)}${digits}`;
  const intPart = digits.slice(0, x + 1).padEnd(x + 1, '0');
  const frac = digits.slice(x + 1);
  return `${sign}${intPart}${frac ? '.' + frac : ''}`;
}
