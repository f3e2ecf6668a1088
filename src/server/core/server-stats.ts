// Server-wide counters reported by srvr/stat/mntr: packets, latency, auth failures.

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  authFailed = 0;
  minLatencyMs = Number.MAX_SAFE_INTEGER;
  maxLatencyMs = 0;
  totalLatencyMs = 0;
  latencyCount = 0;

  noteLatency(latencyMs: number): void {
    if (latencyMs < this.minLatencyMs) this.minLatencyMs = latencyMs;
    if (latencyMs > this.maxLatencyMs) this.maxLatencyMs = latencyMs;
    this.totalLatencyMs += latencyMs;
    this.latencyCount++;
  }

  /** Average rounded half-up to 4 decimals, as ZooKeeper prints it. */
  averageLatencyMs(): number {
    if (this.latencyCount === 0) return 0;
    return Math.round((this.totalLatencyMs / this.latencyCount) * 10000) / 10000;
  }

  minLatency(): number {
    return this.latencyCount === 0 ? 0 : this.minLatencyMs;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatencyMs = Number.MAX_SAFE_INTEGER;
    this.maxLatencyMs = 0;
    this.totalLatencyMs = 0;
    this.latencyCount = 0;
  }
}
