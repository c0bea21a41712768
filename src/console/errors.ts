/** Error text for people: a translated code where we have one, else the server's message. */
import { ApiError } from './api';
import { hasKey, type T } from './i18n';

export function errorMessage(error: unknown, t: T): string {
  if (error instanceof ApiError) {
    if (hasKey(`error.${error.code}`)) return t(`error.${error.code}`);
    return t('error.generic', { message: `${error.message} (${error.code})` });
  }
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}
