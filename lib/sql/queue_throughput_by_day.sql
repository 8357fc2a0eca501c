-- Queue throughput per day from the analytics consumer's windows: jobs started / completed / failed per queue.
-- A re-delivered window has the same row_id and counts once; shards of one queue add up.
WITH windows AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY row_id ORDER BY emitted_at DESC) AS rn
  FROM queue_metrics
)
SELECT
  window_date AS day,
  queue_name,
  sum(jobs_started) AS jobs_started,
  sum(jobs_completed) AS jobs_completed,
  sum(jobs_failed) AS jobs_failed,
  sum(jobs_canceled) AS jobs_canceled
FROM windows
WHERE rn = 1
GROUP BY window_date, queue_name
ORDER BY day, queue_name
