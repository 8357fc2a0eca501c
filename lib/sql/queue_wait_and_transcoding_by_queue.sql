-- p50 / p90 queue wait and transcoding time (ms) per queue, over finished jobs (each job once).
WITH latest AS (
  SELECT
    job_id,
    coalesce(queue_name, '(unknown)') AS queue_name,
    queued_ms,
    transcoding_ms,
    row_number() OVER (PARTITION BY job_id ORDER BY job_event_count DESC, last_event_at DESC, recorded_at DESC) AS rn
  FROM jobs
)
SELECT
  queue_name,
  count(*) AS jobs,
  approx_percentile(queued_ms, 0.5) AS queue_wait_p50_ms,
  approx_percentile(queued_ms, 0.9) AS queue_wait_p90_ms,
  approx_percentile(transcoding_ms, 0.5) AS transcoding_p50_ms,
  approx_percentile(transcoding_ms, 0.9) AS transcoding_p90_ms
FROM latest
WHERE rn = 1
GROUP BY queue_name
ORDER BY queue_name
