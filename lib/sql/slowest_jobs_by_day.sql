-- Slowest jobs of each day: the ten longest transcodes per UTC day the job finished (each job once).
WITH latest AS (
  SELECT
    job_id,
    status,
    queue_name,
    finished_date,
    transcoding_ms,
    queued_ms,
    input_duration_ms,
    speed,
    row_number() OVER (PARTITION BY job_id ORDER BY job_event_count DESC, last_event_at DESC, recorded_at DESC) AS rn
  FROM jobs
),
ranked AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY finished_date ORDER BY transcoding_ms DESC, job_id) AS slowest_rank
  FROM latest
  WHERE rn = 1 AND transcoding_ms IS NOT NULL AND finished_date IS NOT NULL
)
SELECT finished_date AS day, slowest_rank, job_id, status, queue_name, transcoding_ms, queued_ms, input_duration_ms, speed
FROM ranked
WHERE slowest_rank <= 10
ORDER BY day, slowest_rank
