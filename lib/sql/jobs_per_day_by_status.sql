-- Jobs per day and status: every job once (its most complete known state), by the UTC day it was created.
-- Reads job_events so running jobs count too; duplicates collapse on job_id.
WITH latest AS (
  SELECT
    job_id,
    job_status,
    job_created_date,
    row_number() OVER (PARTITION BY job_id ORDER BY job_event_count DESC, event_time DESC, recorded_at DESC) AS rn
  FROM job_events
)
SELECT job_created_date AS day, job_status AS status, count(*) AS jobs
FROM latest
WHERE rn = 1
GROUP BY job_created_date, job_status
ORDER BY day, status
