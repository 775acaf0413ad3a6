/**
 * Query (and fragment) parameter names that look like they carry a secret or personal data.
 * Matched as a substring, case-insensitively, so `reset_token`, `userEmail` or `api_key` are caught too:
 * redacting a harmless parameter costs little, storing a password reset token costs a lot.
 */
const SECRET = /mail|token|pass|pwd|secret|auth|key|session|code|signature|credential|jwt/i;

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Replaces the value of secret-looking parameters with `REDACTED`. Works on the string so it needs no
 * `URL` implementation (React Native's is partial) and keeps every other byte of the URL as it was.
 * Fragments are covered because OAuth implicit flows put `access_token` there.
 */
export const redactUrl = (url: string): string => {
  const i = url.search(/[?#]/);
  return i < 0
    ? url
    : url.slice(0, i) +
        url
          .slice(i)
          .replace(/([?&#])([^=&#]+)=([^&#]*)/g, (m, sep: string, name: string) =>
            SECRET.test(decode(name)) ? `${sep}${name}=REDACTED` : m,
          );
};
