// Docker HEALTHCHECK: healthy while GET /health/ready answers 200 (model loaded and warmed up, not draining).
const port = process.env.PORT ?? '3000'
try {
  const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2500) })
  process.exit(res.status === 200 ? 0 : 1)
} catch {
  process.exit(1)
}
