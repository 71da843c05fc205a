/**
 * client-go's ItemExponentialFailureRateLimiter: each key's retries after a
 * failure wait base, 2·base, 4·base … up to max, and a success forgets the
 * key, so one failing Job backs off without slowing any other.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 300_000,
  ) {}

  /** The delay before the next retry of `key`, counting this failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures of `key` since its last success. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
