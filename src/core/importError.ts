/** An import that cannot be used; the message names the file and the field. */
export class ImportError extends Error {
  override name = 'ImportError';
  /** The file the message already names, once it does. */
  file?: string;
}
