import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  checkPasswordChange,
  checkPasswordReset,
  checkSignIn,
  formErrorOf,
  kPasswordChangeServerFields,
  kPasswordResetServerFields,
  kSignInServerFields,
} from './account_forms';

describe('checkSignIn', () => {
  it('trims the email and sends the password as typed', () => {
    expect(checkSignIn({ email: '  Maya@Example.com ', password: ' two words ' })).toEqual({
      ok: true,
      input: { email: 'Maya@Example.com', password: ' two words ' },
    });
  });

  it('names every empty field', () => {
    expect(checkSignIn({ email: '   ', password: '' })).toEqual({
      ok: false,
      errors: { email: 'Enter the email you sign in with.', password: 'Enter your password.' },
    });
  });
});

describe('checkPasswordChange', () => {
  it('builds the request body', () => {
    expect(checkPasswordChange({ current: 'old secret', next: 'a new passphrase', repeat: 'a new passphrase' })).toEqual({
      ok: true,
      input: { current_password: 'old secret', new_password: 'a new passphrase' },
    });
  });

  it('needs the current password and the new one twice, the same', () => {
    expect(checkPasswordChange({ current: '', next: '', repeat: '' })).toEqual({
      ok: false,
      errors: { current: 'Enter your current password.', next: 'Enter a new password.' },
    });
    expect(checkPasswordChange({ current: 'old secret', next: 'a new passphrase', repeat: 'a new passphrase.' })).toEqual({
      ok: false,
      errors: { repeat: 'The two new passwords differ. Type the same one twice.' },
    });
  });

  it('leaves the password rules to the server', () => {
    expect(checkPasswordChange({ current: 'x', next: 'short', repeat: 'short' }).ok).toBe(true);
  });
});

describe('checkPasswordReset', () => {
  it('drops the spaces and line breaks a copied code may carry', () => {
    expect(checkPasswordReset({ code: ' 0a1b\n2c3d ', next: 'a new passphrase', repeat: 'a new passphrase' })).toEqual({
      ok: true,
      input: { code: '0a1b2c3d', new_password: 'a new passphrase' },
    });
  });

  it('needs the code and the new password twice, the same', () => {
    expect(checkPasswordReset({ code: ' ', next: 'a new passphrase', repeat: 'another one' })).toEqual({
      ok: false,
      errors: { code: 'Enter the reset code your admin gave you.', repeat: 'The two new passwords differ. Type the same one twice.' },
    });
  });
});

describe('formErrorOf', () => {
  it('puts a 422 beside the field it names', () => {
    const wrong = new ApiError(422, 'invalid', 'the current password is wrong', 'current_password');
    expect(formErrorOf(wrong, kPasswordChangeServerFields)).toEqual({ field: 'current', message: 'The current password is wrong.' });
    const short = new ApiError(422, 'invalid', 'the password needs at least 10 characters', 'new_password');
    expect(formErrorOf(short, kPasswordResetServerFields)).toEqual({ field: 'next', message: 'The password needs at least 10 characters.' });
    const code = new ApiError(422, 'invalid', 'this reset code is unknown, used or expired; ask an admin for a new one', 'code');
    expect(formErrorOf(code, kPasswordResetServerFields).field).toBe('code');
  });

  it('tells the whole form about a wrong password or too many attempts, in the server’s words', () => {
    const wrong = new ApiError(401, 'unauthorized', 'the email or the password is wrong');
    expect(formErrorOf(wrong, kSignInServerFields)).toEqual({ field: null, message: 'The email or the password is wrong.' });
    // A 429 names "email" or "address", but no field of the form is at fault.
    const locked = new ApiError(429, 'rate_limited', 'too many failed sign-ins for this account; try again in 15 minutes', 'email');
    expect(formErrorOf(locked, kSignInServerFields)).toEqual({
      field: null,
      message: 'Too many failed sign-ins for this account; try again in 15 minutes.',
    });
  });

  it('tells the whole form about fields it does not have, an unreachable server and other failures', () => {
    expect(formErrorOf(new ApiError(422, 'invalid', 'no such thing', 'constructor'), kSignInServerFields).field).toBeNull();
    expect(formErrorOf(new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.'), kSignInServerFields)).toEqual({
      field: null,
      message: "Can't reach the Pipedeck server. Try again in a moment.",
    });
    expect(formErrorOf(new TypeError('failed to fetch'), kSignInServerFields)).toEqual({ field: null, message: 'Failed to fetch.' });
    expect(formErrorOf('odd', kSignInServerFields)).toEqual({ field: null, message: 'Something went wrong. Try again.' });
  });
});
