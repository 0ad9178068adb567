// "Your account" (/account, from the user's name in the top bar): who is signed in, and the form
// that changes their password (POST /api/auth/password). The new password is typed twice and the
// two are compared here; the current password and the rules for a new one are the server's to
// judge, and its 422 is shown beside the field it names. A change ends the user's other sessions
// (other browsers, other devices) and keeps this one.

import { useEffect, useRef, useState } from 'preact/hooks';
import {
  checkPasswordChange,
  formErrorOf,
  kPasswordChangeServerFields,
  type FieldErrors,
  type PasswordChangeField,
} from '../account_forms';
import { kRoleLabels } from '../users_admin';
import { focusFirstError, NewPasswordFields } from './sign_in';
import { TextField, useApp } from './ui';

export function AccountPage() {
  const { user } = useApp();
  useEffect(() => {
    document.title = 'Your account · Pipedeck';
  }, []);
  return (
    <main class="page account-page">
      <header class="page-header">
        <div>
          <h1>Your account</h1>
          <p class="muted">The details you sign in with, and your password.</p>
        </div>
      </header>
      <section class="panel account-panel" aria-labelledby="account-details-title">
        <h2 id="account-details-title" class="section-title">
          Details
        </h2>
        <dl class="account-details">
          <dt>Name</dt>
          <dd data-testid="account-name">{user.name}</dd>
          <dt>Email</dt>
          <dd data-testid="account-email">{user.email}</dd>
          <dt>Role</dt>
          <dd>{kRoleLabels[user.role]}</dd>
        </dl>
      </section>
      <section class="panel account-panel" aria-labelledby="password-title">
        <h2 id="password-title" class="section-title">
          Change your password
        </h2>
        <PasswordChangeForm />
      </section>
    </main>
  );
}

const kChangeOrder: readonly PasswordChangeField[] = ['current', 'next', 'repeat'];
const kEmptyForm = { current: '', next: '', repeat: '' };

function PasswordChangeForm() {
  const { api, user } = useApp();
  const [form, setForm] = useState(kEmptyForm);
  const [errors, setErrors] = useState<FieldErrors<PasswordChangeField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const edit = (field: PasswordChangeField, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setDone(false);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const checked = checkPasswordChange(form);
    setFormError(null);
    setDone(false);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(formRef.current, 'password', kChangeOrder, checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api.changePassword(checked.input.current_password, checked.input.new_password);
      setForm(kEmptyForm);
      setDone(true);
    } catch (e) {
      const problem = formErrorOf(e, kPasswordChangeServerFields);
      if (problem.field) {
        const found = { [problem.field]: problem.message };
        setErrors(found);
        focusFirstError(formRef.current, 'password', kChangeOrder, found);
      } else {
        setFormError(`Your password was not changed: ${problem.message}`);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form account-form" ref={formRef} onSubmit={submit} noValidate aria-labelledby="password-title">
      {/* A hidden username lets password managers file the new password under the right account. */}
      <input type="email" name="username" autocomplete="username" value={user.email} hidden readOnly />
      <TextField
        id="password-current"
        label="Current password"
        type="password"
        autocomplete="current-password"
        value={form.current}
        error={errors.current}
        onInput={(value) => edit('current', value)}
      />
      <NewPasswordFields idPrefix="password" next={form.next} repeat={form.repeat} errors={errors} onInput={edit} />
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      {done && (
        <p class="banner banner-success" role="status">
          Your password has been changed. Your other sessions have been signed out; this one stays signed in.
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
