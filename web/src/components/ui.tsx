// Building blocks shared by the pages: the app context, modal dialogs, notices (toasts), avatars
// and the designed empty / error / loading states.

import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient, User } from '../api';
import { initials } from '../format';

export interface AppContextValue {
  api: ApiClient;
  user: User;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in app');
  return value;
}

// ---- Notices ------------------------------------------------------------------------------------

export type NoticeKind = 'info' | 'error';

interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

type Notify = (text: string, kind?: NoticeKind) => void;

const NoticeContext = createContext<Notify>(() => undefined);

export function useNotify(): Notify {
  return useContext(NoticeContext);
}

const kNoticeMillis = { info: 4000, error: 8000 } as const;

/** Provides useNotify() and shows the notices, newest last, in a live region. */
export function NoticeProvider({ children }: { children: ComponentChildren }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback<Notify>(
    (text, kind = 'info') => {
      const id = nextId.current++;
      setNotices((list) => [...list.slice(-3), { id, kind, text }]);
      setTimeout(() => dismiss(id), kNoticeMillis[kind]);
    },
    [dismiss],
  );
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div class="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            <span>{n.text}</span>
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}

// ---- Dialog -------------------------------------------------------------------------------------

let dialogIds = 0;

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  class?: string;
}

/**
 * A modal <dialog>: focus is kept inside, Escape and the close button call onClose. The caller
 * unmounts it to close it.
 */
export function Dialog({ title, onClose, children, class: className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [titleId] = useState(() => `dialog-title-${++dialogIds}`);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog ${className ?? ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header class="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}

// ---- States -------------------------------------------------------------------------------------

export function Spinner({ label }: { label: string }) {
  return (
    <div class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

interface StateProps {
  title: string;
  children?: ComponentChildren;
  action?: { label: string; onClick: () => void };
}

export function EmptyState({ title, children, action }: StateProps) {
  return (
    <div class="state state-empty">
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action && (
        <button type="button" class="button" onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  );
}

export function ErrorState({ title, children, action }: StateProps) {
  return (
    <div class="state state-error" role="alert">
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action && (
        <button type="button" class="button button-primary" onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  );
}

// ---- Text fields --------------------------------------------------------------------------------

interface TextFieldProps {
  id: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value: string;
  onInput: (value: string) => void;
  /** The browser's (and password managers') hint: "username", "current-password", "new-password", ... */
  autocomplete: string;
  /** Shown under the input, and read with it; replaces `help` while set. */
  error?: string | undefined;
  help?: string | undefined;
  autofocus?: boolean;
}

/** A labelled input with its help or its error under it (aria-describedby names whichever is shown). */
export function TextField({ id, label, type = 'text', value, onInput, autocomplete, error, help, autofocus }: TextFieldProps) {
  const described = error ? `${id}-error` : help ? `${id}-help` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        autofocus={autofocus}
        autocomplete={autocomplete}
        spellcheck={false}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      {error ? (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      ) : (
        help && (
          <p id={`${id}-help`} class="field-help">
            {help}
          </p>
        )
      )}
    </div>
  );
}

// ---- Avatar -------------------------------------------------------------------------------------

/** A person's initials in a circle whose colour follows their id; the name is the label. */
export function Avatar({ id, name, size = 'small' }: { id: number | null; name: string | null; size?: 'small' | 'large' }) {
  const label = name ?? 'Unassigned';
  const hue = id === null ? 0 : (id * 137) % 360;
  return (
    <span
      class={`avatar avatar-${size}${id === null ? ' avatar-none' : ''}`}
      role="img"
      aria-label={label}
      title={label}
      style={id === null ? undefined : { '--avatar-hue': String(hue) }}
    >
      {initials(name)}
    </span>
  );
}
