-- Warnings by code: NEW_WARNING events (each distinct event once) and the number of jobs that saw each code.
WITH distinct_events AS (
  SELECT
    event_key,
    job_id,
    warning_code,
    row_number() OVER (PARTITION BY event_key ORDER BY recorded_at) AS rn
  FROM job_events
  WHERE status = 'NEW_WARNING' AND warning_code IS NOT NULL
)
SELECT warning_code, count(*) AS occurrences, count(DISTINCT job_id) AS jobs
FROM distinct_events
WHERE rn = 1
GROUP BY warning_code
ORDER BY occurrences DESC, warning_code
