import { IdnError } from '#core/errors/idn-error';

/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
 * alphabet (digits and upper-case letters without I, O, Z, S, V, which read like digits).
 * Layout: registration authority (1), organisation category (1), administrative division (6
 * digits), organisation code (9), check character (1). The check character makes
 * sum(value(c_i) * 3^i mod 31) + check ≡ 0 (mod 31) over the first 17 characters.
 */

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => Number(3n ** BigInt(i) % 31n));
const SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/** The check character the first 17 characters call for. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

export function isValidCreditCode(code: string): boolean {
  return SHAPE.test(code) && creditCodeCheckChar(code) === code.charAt(17);
}

/** Returns the code upper-cased (people type it in lower case) or throws IDN_ERR_INVALID_CREDIT_CODE. */
export function checkCreditCode(input: string): string {
  const code = input.trim().toUpperCase();
  if (code.length !== 18) {
    throw new IdnError('IDN_ERR_INVALID_CREDIT_CODE', `The code has ${code.length} characters; it must have 18.`);
  }
  if (!SHAPE.test(code)) {
    throw new IdnError(
      'IDN_ERR_INVALID_CREDIT_CODE',
      'The code may use only 0-9 and A-Y without I, O, S, V, Z, and characters 3-8 must be digits.',
    );
  }
  const expected = creditCodeCheckChar(code);
  if (expected !== code.charAt(17)) {
    throw new IdnError('IDN_ERR_INVALID_CREDIT_CODE', 'The check character does not match (typing error?).', {
      expected,
      actual: code.charAt(17),
    });
  }
  return code;
}
