// mcjobs dashboard, shared helpers: formatting, DOM building and the Jobs API client. Plain browser JavaScript
// loaded before the other dashboard scripts; everything is put on `window.MC`.
(() => {
  "use strict";
  const params = new URLSearchParams(location.search);
  const API = (params.get("api") || location.origin).replace(/\/$/, "");

  function duration(ms) {
    if (ms === undefined || ms === null || !Number.isFinite(ms)) return "—";
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
  }
  /** Viewer's local time: the clock alone for today, with the date otherwise. */
  function clock(ms) {
    if (!ms) return "—";
    const d = new Date(ms);
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }
  /** The same instant in UTC, for a `title` tooltip. */
  function utc(ms) {
    return ms
      ? `${new Date(ms)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, "Z")} (UTC)`
      : "";
  }
  function text(v) {
    return v === undefined || v === null || v === "" ? "—" : String(v);
  }
  /** Last path segment of a URI (what an operator calls the file); the whole string when it has no slash. */
  function fileName(uri) {
    if (!uri) return undefined;
    const s = String(uri).replace(/[?#].*$/, "");
    const last = s.slice(s.lastIndexOf("/") + 1);
    try {
      return decodeURIComponent(last) || undefined;
    } catch (_) {
      return last || undefined;
    }
  }
  function inputUri(job) {
    return job.input?.uri || job.settings?.inputs?.[0]?.uri;
  }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "tabindex") e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children || []) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  /** A <time> showing local time, UTC on hover. */
  function timeEl(ms) {
    return el("time", { title: utc(ms), dateTime: ms ? new Date(ms).toISOString() : undefined }, [clock(ms)]);
  }

  /** Percent shown for a job: complete jobs are full; failed and canceled ones keep how far they got. */
  function percentOf(job) {
    if (job.status === "COMPLETE") return 100;
    return Math.max(0, Math.min(100, Math.round(Number(job.percentComplete) || 0)));
  }
  function barLabel(job) {
    const pct = percentOf(job);
    if (job.status === "ERROR") return job.percentComplete === undefined ? "failed (no progress reported)" : `failed at ${pct}%`;
    if (job.status === "CANCELED") return `canceled at ${pct}%`;
    if (job.stale) return `${pct}% · stale`;
    if (job.stalled) return `${pct}% · stalled`;
    return `${pct}%`;
  }
  function queueWait(job, now) {
    if (typeof job.queuedMs === "number") return job.queuedMs;
    if (typeof job.waitingMs === "number") return job.waitingMs;
    if (job.status === "SUBMITTED" && job.createdAt) return now - job.createdAt;
    if (job.progressingAt && job.createdAt) return job.progressingAt - job.createdAt;
    return undefined;
  }
  function eta(job, now) {
    if (job.status !== "PROGRESSING") return "—";
    if (job.stale) return "stale";
    if (job.stalled) return "stalled";
    if (typeof job.estimatedFinishAt === "number") return duration(job.estimatedFinishAt - now);
    if (typeof job.etaMs === "number") return duration(job.etaMs);
    return "—";
  }

  async function getJson(p) {
    const res = await fetch(API + p, { headers: { accept: "application/json" }, cache: "no-store" });
    if (!res.ok) {
      let detail = "";
      try {
        const body = await res.json();
        // The Jobs API answers { error: { code, message } }; the twin's and the proxy's own errors { message }.
        detail = body.error?.message || body.message || "";
      } catch (_) {}
      const err = new Error(`${p}: HTTP ${res.status}${detail ? ` — ${detail}` : ""}`);
      err.status = res.status;
      throw err;
    }
    return res.json();
  }

  // Meanings of error and warning codes, for records that do not carry them (served beside the page).
  const codes = { errors: {}, warnings: {} };
  fetch("/dashboard/codes.json")
    .then((r) => (r.ok ? r.json() : codes))
    .then((c) => Object.assign(codes, c))
    .catch(() => undefined);
  function meaningOf(err) {
    if (!err) return undefined;
    const known = codes.errors[String(err.code)];
    return err.meaning || known?.meaning || err.category;
  }
  function warningMeaning(w) {
    const known = codes.warnings?.[String(w.code)];
    return w.meaning || known?.meaning;
  }

  function openJob(jobId) {
    location.hash = `#/jobs/${encodeURIComponent(jobId)}`;
  }

  window.MC = {
    params,
    duration,
    clock,
    utc,
    text,
    fileName,
    inputUri,
    el,
    timeEl,
    percentOf,
    barLabel,
    queueWait,
    eta,
    getJson,
    meaningOf,
    warningMeaning,
    openJob,
  };
})();
