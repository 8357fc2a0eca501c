-- Transcoding speed (× real time: input duration ÷ transcoding time) by input video codec and resolution,
-- over completed jobs whose speed is known (each job once).
WITH latest AS (
  SELECT
    job_id,
    status,
    speed,
    coalesce(input_video_codec, '(unknown)') AS input_video_codec,
    coalesce(input_resolution, '(unknown)') AS input_resolution,
    row_number() OVER (PARTITION BY job_id ORDER BY job_event_count DESC, last_event_at DESC, recorded_at DESC) AS rn
  FROM jobs
)
SELECT
  input_video_codec,
  input_resolution,
  count(*) AS jobs,
  round(avg(speed), 3) AS avg_speed,
  approx_percentile(speed, 0.5) AS p50_speed,
  min(speed) AS min_speed
FROM latest
WHERE rn = 1 AND status = 'COMPLETE' AND speed IS NOT NULL
GROUP BY input_video_codec, input_resolution
ORDER BY input_video_codec, input_resolution
