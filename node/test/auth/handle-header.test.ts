import { describe, expect, it } from 'vitest';
import { parseHandleAuthorization } from '../../src/auth/sessions/handle-header.ts';
import { isIdnError } from '../../src/errors/idn-error.ts';

/** The header grammar of Handle.Net 9's HandleAuthorizationHeader: name=token|quoted-string, commas between. */
describe('Authorization: Handle parameters', () => {
  it('reads quoted and bare values, case-insensitive names, escapes, and percent-decodes id only', () => {
    const h = parseHandleAuthorization(
      'version="0",  SESSIONID=abc_1 , id="300%3A88.1%2FADMIN", cnonce="a+b/c==", alg=SHA256, signature="x\\"y", salt="s%3A"',
    );
    expect(h).toEqual({
      version: '0',
      sessionId: 'abc_1',
      id: '300:88.1/ADMIN',
      cnonce: 'a+b/c==',
      alg: 'SHA256',
      signature: 'x"y',
      salt: 's%3A',
    });
  });

  it('ignores unknown names, as Handle.Net does', () => {
    expect(parseHandleAuthorization('sessionId="s", clientCert="true", foo=bar')).toEqual({ sessionId: 's' });
  });

  it.each([['x'], ['sessionId="s" id="i"'], ['=v'], ['sessionId="unterminated'], [' '], ['id="%E0%A4%A"']])(
    'refuses %j as a malformed credential',
    (params) => {
      let code: string | undefined;
      try {
        parseHandleAuthorization(params);
      } catch (e) {
        code = isIdnError(e) ? e.code : 'other';
      }
      expect(code).toBe('IDN_ERR_INVALID_CREDENTIAL');
    },
  );
});
