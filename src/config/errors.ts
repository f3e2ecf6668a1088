// The one error zoo.cfg / myid parsing throws: it names the key, the bad value and what was
// expected, so an operator can fix the file from the message alone.

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'ZKTS_CONFIG';

  /**
   * @param key the zoo.cfg key (or `myid`, or `line N` for syntax errors)
   * @param value the offending value, or null when the key is missing
   * @param expected what would have been accepted
   * @param message overrides the standard text (used for ZooKeeper's own fixed messages)
   */
  constructor(
    readonly key: string,
    readonly value: string | null,
    readonly expected: string,
    message?: string,
  ) {
    super(
      message ??
        (value === null
          ? `${key} is not set (expected ${expected})`
          : `Invalid value for ${key}: '${value}' (expected ${expected})`),
    );
  }
}
