-- Error rate by error code and queue: failed jobs per error code, over all finished jobs of the same queue.
WITH latest AS (
  SELECT
    job_id,
    status,
    error_code,
    coalesce(queue_name, '(unknown)') AS queue_name,
    row_number() OVER (PARTITION BY job_id ORDER BY job_event_count DESC, last_event_at DESC, recorded_at DESC) AS rn
  FROM jobs
),
finished AS (
  SELECT queue_name, count(*) AS finished_jobs FROM latest WHERE rn = 1 GROUP BY queue_name
)
SELECT
  l.queue_name,
  l.error_code,
  count(*) AS failed_jobs,
  f.finished_jobs,
  round(CAST(count(*) AS DOUBLE) / f.finished_jobs, 4) AS error_rate
FROM latest l
JOIN finished f ON f.queue_name = l.queue_name
WHERE l.rn = 1 AND l.status = 'ERROR'
GROUP BY l.queue_name, l.error_code, f.finished_jobs
ORDER BY l.queue_name, failed_jobs DESC, l.error_code
