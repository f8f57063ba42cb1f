-- wrk's summary in one parseable line: request count, errors and latency percentiles (ms).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d socket_errors=%d http_errors=%d timeouts=%d p50=%.1f p95=%.1f p99=%.1f\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
