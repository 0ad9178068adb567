// The signed-in API token, kept in localStorage until sign-out or a 401.

const kTokenKey = 'pipedeck.token';

export function storedToken(): string | null {
  try {
    return localStorage.getItem(kTokenKey);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(kTokenKey);
    else localStorage.setItem(kTokenKey, token);
  } catch {
    // Storage disabled (private mode): the session lasts until the page is closed.
  }
}
