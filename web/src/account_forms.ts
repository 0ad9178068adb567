// The sign-in, password change and reset code forms as typed → the request bodies of /api/auth,
// and a refusal → the message and the field it is shown beside. The browser checks only what it
// can see (an empty field, a repeated password that differs); the rules a password must meet are
// the server's, and its 422 names the field. No I/O; components/app.tsx and account_page.tsx use
// these.

import { ApiError } from './api';
import { sentence } from './contact_fields';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export type FormCheck<F extends string, T> = { ok: true; input: T } | { ok: false; errors: FieldErrors<F> };

function result<F extends string, T>(errors: FieldErrors<F>, input: T): FormCheck<F, T> {
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

// ---- Sign-in ------------------------------------------------------------------------------------

export interface SignInForm {
  email: string;
  password: string;
}

export type SignInField = keyof SignInForm;

/** The email without surrounding spaces; the password exactly as typed (spaces may be part of it). */
export function checkSignIn(form: SignInForm): FormCheck<SignInField, SignInForm> {
  const errors: FieldErrors<SignInField> = {};
  const email = form.email.trim();
  if (!email) errors.email = 'Enter the email you sign in with.';
  if (!form.password) errors.password = 'Enter your password.';
  return result(errors, { email, password: form.password });
}

/** Server field names of POST /api/auth/sign-in → the form's fields. */
export const kSignInServerFields: Readonly<Record<string, SignInField>> = { email: 'email', password: 'password' };

// ---- Password change ----------------------------------------------------------------------------

export interface PasswordChangeForm {
  current: string;
  next: string;
  repeat: string;
}

export type PasswordChangeField = keyof PasswordChangeForm;

export interface PasswordChangeInput {
  current_password: string;
  new_password: string;
}

export function checkPasswordChange(form: PasswordChangeForm): FormCheck<PasswordChangeField, PasswordChangeInput> {
  const errors: FieldErrors<PasswordChangeField> = {};
  if (!form.current) errors.current = 'Enter your current password.';
  Object.assign(errors, newPasswordErrors(form.next, form.repeat));
  return result(errors, { current_password: form.current, new_password: form.next });
}

/** Server field names of POST /api/auth/password → the form's fields. */
export const kPasswordChangeServerFields: Readonly<Record<string, PasswordChangeField>> = {
  current_password: 'current',
  new_password: 'next',
};

// ---- Password reset with a code -----------------------------------------------------------------

export interface PasswordResetForm {
  code: string;
  next: string;
  repeat: string;
}

export type PasswordResetField = keyof PasswordResetForm;

export interface PasswordResetInput {
  code: string;
  new_password: string;
}

/** The code without the spaces and line breaks that copying it from a message may add. */
export function checkPasswordReset(form: PasswordResetForm): FormCheck<PasswordResetField, PasswordResetInput> {
  const errors: FieldErrors<PasswordResetField> = {};
  const code = form.code.replace(/\s+/g, '');
  if (!code) errors.code = 'Enter the reset code your admin gave you.';
  Object.assign(errors, newPasswordErrors(form.next, form.repeat));
  return result(errors, { code, new_password: form.next });
}

/** Server field names of POST /api/auth/password-reset → the form's fields. */
export const kPasswordResetServerFields: Readonly<Record<string, PasswordResetField>> = {
  code: 'code',
  new_password: 'next',
};

/** A new password typed twice: present, and the same both times. */
function newPasswordErrors(next: string, repeat: string): FieldErrors<'next' | 'repeat'> {
  if (!next) return { next: 'Enter a new password.' };
  if (repeat !== next) return { repeat: 'The two new passwords differ. Type the same one twice.' };
  return {};
}

// ---- Refusals -----------------------------------------------------------------------------------

export interface FormError<F extends string> {
  /** The field the message is shown beside; null: above the form's button, for the whole form. */
  field: F | null;
  message: string;
}

/**
 * Where and how a failed request is told: a 422 naming one of the form's fields (`serverFields`)
 * beside that field; anything else — a wrong password, too many attempts, an unreachable server —
 * for the whole form, in the server's words.
 */
export function formErrorOf<F extends string>(error: unknown, serverFields: Readonly<Record<string, F>>): FormError<F> {
  if (!(error instanceof ApiError)) {
    return { field: null, message: error instanceof Error && error.message ? sentence(error.message) : 'Something went wrong. Try again.' };
  }
  if (error.unreachable) return { field: null, message: "Can't reach the Pipedeck server. Try again in a moment." };
  const field = error.status === 422 && error.field !== null && Object.hasOwn(serverFields, error.field) ? serverFields[error.field]! : null;
  return { field, message: sentence(error.message) };
}
