/** Replaces every occurrence of the given secrets in a text with `***`. @public */
export function redactSecrets(
  text: string,
  secrets: (string | undefined)[],
): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      result = result.split(secret).join('***');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) result = result.split(encoded).join('***');
    }
  }
  return result;
}

/** The URL with any user info removed, for logs. @public */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Redacts the secrets from an error's message and stack, in place. */
export function redactError(error: unknown, secrets: (string | undefined)[]) {
  if (error instanceof Error) {
    error.message = redactSecrets(error.message ?? '', secrets);
    if (error.stack) error.stack = redactSecrets(error.stack, secrets);
  }
  return error;
}
