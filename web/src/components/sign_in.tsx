// What a signed-out browser sees: the sign-in form (email and password), and in its place, from
// the link "Have a reset code from your admin?", the form that sets a new password with an admin's
// one-time reset code (POST /api/auth/password-reset), which then returns to the sign-in form.
// The checks and the placing of the server's refusals are account_forms.ts's.

import { useRef, useState } from 'preact/hooks';
import type { ApiClient, AuthSession } from '../api';
import {
  checkPasswordReset,
  checkSignIn,
  formErrorOf,
  kPasswordResetServerFields,
  kSignInServerFields,
  type FieldErrors,
  type PasswordResetField,
  type SignInField,
} from '../account_forms';
import { TextField } from './ui';

/** Shown under a new password field: the server's rules for a password (the server checks them). */
export const kNewPasswordHelp = 'At least 10 characters, and not your email address.';

interface NewPasswordFieldsProps {
  idPrefix: string; // the fields' ids are `${idPrefix}-next` and `${idPrefix}-repeat`
  next: string;
  repeat: string;
  errors: { next?: string; repeat?: string };
  onInput: (field: 'next' | 'repeat', value: string) => void;
}

/** A new password and its repetition, as the reset form and the account page ask for them. */
export function NewPasswordFields({ idPrefix, next, repeat, errors, onInput }: NewPasswordFieldsProps) {
  return (
    <>
      <TextField
        id={`${idPrefix}-next`}
        label="New password"
        type="password"
        autocomplete="new-password"
        value={next}
        error={errors.next}
        help={kNewPasswordHelp}
        onInput={(value) => onInput('next', value)}
      />
      <TextField
        id={`${idPrefix}-repeat`}
        label="Repeat new password"
        type="password"
        autocomplete="new-password"
        value={repeat}
        error={errors.repeat}
        onInput={(value) => onInput('repeat', value)}
      />
    </>
  );
}

/** Focuses the first of `order` that has an error, by the input ids `prefix-field`. */
export function focusFirstError<F extends string>(form: HTMLFormElement | null, prefix: string, order: readonly F[], errors: FieldErrors<F>) {
  const first = order.find((f) => errors[f]);
  if (first) form?.querySelector<HTMLElement>(`#${prefix}-${first}`)?.focus();
}

interface SignedOutProps {
  api: ApiClient;
  /** Why the app is here (a session that ended), or null. */
  reason: string | null;
  onSignedIn: (session: AuthSession) => void;
}

export function SignedOutScreen({ api, reason, onSignedIn }: SignedOutProps) {
  const [view, setView] = useState<'sign-in' | 'reset'>('sign-in');
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <main class="page-center">
      {view === 'reset' ? (
        <PasswordResetForm
          api={api}
          onDone={() => {
            setNotice('Password set; sign in with it.');
            setView('sign-in');
          }}
          onCancel={() => setView('sign-in')}
        />
      ) : (
        <SignInForm
          api={api}
          reason={notice === null ? reason : null}
          notice={notice}
          onSignedIn={onSignedIn}
          onHaveResetCode={() => {
            setNotice(null);
            setView('reset');
          }}
        />
      )}
    </main>
  );
}

const kSignInOrder: readonly SignInField[] = ['email', 'password'];

interface SignInFormProps {
  api: ApiClient;
  reason: string | null;
  notice: string | null;
  onSignedIn: (session: AuthSession) => void;
  onHaveResetCode: () => void;
}

function SignInForm({ api, reason, notice, onSignedIn, onHaveResetCode }: SignInFormProps) {
  const [form, setForm] = useState({ email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors<SignInField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const checked = checkSignIn(form);
    setFormError(null);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(formRef.current, 'sign-in', kSignInOrder, checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const session = await api.signIn(checked.input.email, checked.input.password);
      onSignedIn(session);
    } catch (e) {
      setBusy(false);
      const problem = formErrorOf(e, kSignInServerFields);
      if (problem.field) {
        const found = { [problem.field]: problem.message };
        setErrors(found);
        focusFirstError(formRef.current, 'sign-in', kSignInOrder, found);
      } else {
        setFormError(problem.message);
        formRef.current?.querySelector<HTMLInputElement>('#sign-in-password')?.select();
      }
    }
  };

  return (
    <form class="sign-in" ref={formRef} onSubmit={submit} noValidate aria-label="Sign in">
      <h1 class="brand brand-large">Pipedeck</h1>
      <p class="muted">Sign in with your email and password.</p>
      {notice && (
        <p class="banner banner-success" role="status">
          {notice}
        </p>
      )}
      {reason && (
        <p class="banner banner-warning" role="status">
          {reason}
        </p>
      )}
      <TextField
        id="sign-in-email"
        label="Email"
        type="email"
        autocomplete="username"
        autofocus
        value={form.email}
        error={errors.email}
        onInput={(email) => setForm((f) => ({ ...f, email }))}
      />
      <TextField
        id="sign-in-password"
        label="Password"
        type="password"
        autocomplete="current-password"
        value={form.password}
        error={errors.password}
        onInput={(password) => setForm((f) => ({ ...f, password }))}
      />
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" class="button button-primary button-block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p class="sign-in-aside">
        <button type="button" class="button-link" onClick={onHaveResetCode}>
          Have a reset code from your admin?
        </button>
      </p>
    </form>
  );
}

const kResetOrder: readonly PasswordResetField[] = ['code', 'next', 'repeat'];

interface PasswordResetFormProps {
  api: ApiClient;
  onDone: () => void;
  onCancel: () => void;
}

function PasswordResetForm({ api, onDone, onCancel }: PasswordResetFormProps) {
  const [form, setForm] = useState({ code: '', next: '', repeat: '' });
  const [errors, setErrors] = useState<FieldErrors<PasswordResetField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const checked = checkPasswordReset(form);
    setFormError(null);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(formRef.current, 'reset', kResetOrder, checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api.completePasswordReset(checked.input.code, checked.input.new_password);
      onDone();
    } catch (e) {
      setBusy(false);
      const problem = formErrorOf(e, kPasswordResetServerFields);
      if (problem.field) {
        const found = { [problem.field]: problem.message };
        setErrors(found);
        focusFirstError(formRef.current, 'reset', kResetOrder, found);
      } else {
        setFormError(problem.message);
      }
    }
  };

  return (
    <form class="sign-in" ref={formRef} onSubmit={submit} noValidate aria-labelledby="reset-title">
      <h1 class="brand brand-large">Pipedeck</h1>
      <h2 id="reset-title" class="section-title">
        Set a new password
      </h2>
      <p class="muted">
        Enter the reset code your admin gave you and choose your new password. A code works once, within a day of being
        made.
      </p>
      <TextField
        id="reset-code"
        label="Reset code"
        autocomplete="one-time-code"
        autofocus
        value={form.code}
        error={errors.code}
        onInput={(code) => setForm((f) => ({ ...f, code }))}
      />
      <NewPasswordFields
        idPrefix="reset"
        next={form.next}
        repeat={form.repeat}
        errors={errors}
        onInput={(field, value) => setForm((f) => ({ ...f, [field]: value }))}
      />
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" class="button button-primary button-block" disabled={busy}>
        {busy ? 'Setting the password…' : 'Set password'}
      </button>
      <p class="sign-in-aside">
        <button type="button" class="button-link" onClick={onCancel}>
          Back to sign-in
        </button>
      </p>
    </form>
  );
}
