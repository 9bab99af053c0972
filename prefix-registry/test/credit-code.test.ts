import { describe, expect, test } from 'vitest';
import { isIdnError } from '#core/errors/idn-error';
import { checkCreditCode, creditCodeCheckChar, isValidCreditCode } from '../src/credit-code.ts';

// Codes published on business licences of large companies (public registry data), which any
// correct GB 32100-2015 implementation must accept.
const PUBLISHED = [
  '914403001922038216',
  '9144030071526726XG',
  '91330100716105852F',
  '91110000802100433B',
  '91350100M000100Y43',
];

describe('unified social credit code (GB 32100-2015)', () => {
  test.each(PUBLISHED)('accepts published code %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
    expect(checkCreditCode(code.toLowerCase())).toBe(code);
  });

  test('computes the check character from the first 17', () => {
    expect(creditCodeCheckChar('91440300192203821')).toBe('6');
    expect(creditCodeCheckChar('9144030071526726X')).toBe('G');
  });

  test.each([
    ['914403001922038217', 'wrong check character'],
    ['914403001922038261', 'two characters swapped'],
    ['91440300192203821', 'too short'],
    ['9144030019220382166', 'too long'],
    ['91440300192203821I', 'letter I is not in the alphabet'],
    ['9144O30019220382166'.slice(0, 18), 'letter O in the division code'],
    ['', 'empty'],
  ])('rejects %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
    try {
      checkCreditCode(code);
      expect.unreachable();
    } catch (e) {
      expect(isIdnError(e) && e.code).toBe('IDN_ERR_INVALID_CREDIT_CODE');
    }
  });

  test('every single-character typo in a valid code is caught', () => {
    const code = PUBLISHED[0]!;
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < 18; i++) {
      for (const c of alphabet) {
        if (c === code[i]) continue;
        expect(isValidCreditCode(code.slice(0, i) + c + code.slice(i + 1))).toBe(false);
      }
    }
  });
});
