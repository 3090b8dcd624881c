/**
 * A setting the user gave is not valid (an unknown method or storage type, a bad option value):
 * the command line exits with 2 (usage) for it, and 1 for bad data; the page shows it beside the
 * control. Chosen by type, never by matching message text.
 */
export class SettingError extends Error {
  override name = 'SettingError';
}
