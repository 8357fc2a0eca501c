// mcjobs dashboard: plain browser JavaScript, no build step. Polls the Jobs API and redraws in place.
// Query parameters: ?api=<base URL of the Jobs API> (default: this page's origin), ?refresh=<ms> (default 1000).
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  const API = (params.get("api") || location.origin).replace(/\/$/, "");
  const REFRESH = Math.max(250, Number(params.get("refresh")) || 1000);
  const LIVE = ["SUBMITTED", "PROGRESSING"];
  const FINISHED_SHOWN = 15;
  const ERRORS_SHOWN = 10;

  document.getElementById("refresh-every").textContent = REFRESH >= 1000 ? `${REFRESH / 1000} s` : `${REFRESH} ms`;

  // ---- formatting ---------------------------------------------------------------------------------------------
  function duration(ms) {
    if (ms === undefined || ms === null || !isFinite(ms)) return "—";
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
  }
  function clock(ms) {
    if (!ms) return "—";
    return new Date(ms).toLocaleTimeString();
  }
  function text(v) {
    return v === undefined || v === null || v === "" ? "—" : String(v);
  }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children || []) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  /** Percent shown for a job: terminal jobs are full bars; others use the job's own figure. */
  function percentOf(job) {
    if (job.status === "COMPLETE") return 100;
    if (job.status === "ERROR" || job.status === "CANCELED") return Math.max(0, Math.min(100, job.percentComplete || 0));
    return Math.max(0, Math.min(100, Number(job.percentComplete) || 0));
  }
  function queueWait(job, now) {
    if (typeof job.queuedMs === "number") return job.queuedMs;
    if (job.status === "SUBMITTED" && job.createdAt) return now - job.createdAt;
    if (job.progressingAt && job.createdAt) return job.progressingAt - job.createdAt;
    return undefined;
  }
  function eta(job, now) {
    if (job.status !== "PROGRESSING") return "—";
    if (typeof job.estimatedFinishAt === "number") return duration(job.estimatedFinishAt - now);
    if (typeof job.etaMs === "number") return duration(job.etaMs);
    return "—";
  }

  // ---- rows that are updated in place (bars animate instead of being redrawn) ----------------------------------
  function bar(job) {
    const pct = percentOf(job);
    const wrap = el("div", { class: `bar ${job.status}`, "data-percent": String(pct), "data-status": job.status, role: "progressbar" });
    wrap.setAttribute("aria-valuenow", String(pct));
    wrap.setAttribute("aria-valuemin", "0");
    wrap.setAttribute("aria-valuemax", "100");
    const fill = el("div", { class: "fill" });
    fill.style.width = `${pct}%`;
    wrap.append(fill, el("span", { class: "label" }, [`${pct}%`]));
    return wrap;
  }
  function updateBar(wrap, job) {
    const pct = percentOf(job);
    wrap.className = `bar ${job.status}`;
    wrap.dataset.percent = String(pct);
    wrap.dataset.status = job.status;
    wrap.setAttribute("aria-valuenow", String(pct));
    wrap.querySelector(".fill").style.width = `${pct}%`;
    wrap.querySelector(".label").textContent = `${pct}%`;
  }

  function syncTable(tbody, jobs, cells) {
    const want = new Map(jobs.map((j) => [j.jobId, j]));
    for (const tr of [...tbody.children]) if (!want.has(tr.dataset.jobId)) tr.remove();
    let prev = null;
    for (const job of jobs) {
      let tr = tbody.querySelector(`tr[data-job-id="${CSS.escape(job.jobId)}"]`);
      const values = cells(job);
      if (!tr) {
        tr = el("tr", { "data-job-id": job.jobId });
        for (const v of values) tr.append(el("td", v.attrs || {}, v.bar ? [bar(job)] : [v.text]));
      } else {
        [...tr.children].forEach((td, i) => {
          const v = values[i];
          if (v.bar) updateBar(td.firstChild, job);
          else if (td.textContent !== v.text) td.textContent = v.text;
          if (v.attrs && v.attrs.class) td.className = v.attrs.class;
        });
      }
      tr.dataset.status = job.status;
      if (prev ? prev.nextSibling !== tr : tbody.firstChild !== tr) tbody.insertBefore(tr, prev ? prev.nextSibling : tbody.firstChild);
      prev = tr;
    }
  }

  // ---- data -----------------------------------------------------------------------------------------------------
  async function getJson(path) {
    const res = await fetch(API + path, { headers: { accept: "application/json" }, cache: "no-store" });
    if (!res.ok) {
      let detail = "";
      try {
        const body = await res.json();
        // The Jobs API answers { error: { code, message } }; the twin's and the proxy's own errors { message }.
        detail = (body.error && body.error.message) || body.message || "";
      } catch (_) {}
      throw new Error(`${path}: HTTP ${res.status}${detail ? ` — ${detail}` : ""}`);
    }
    return res.json();
  }
  /** The list endpoints answer `{ items|jobs: [...] }` (or a bare array). */
  function jobsOf(body) {
    if (Array.isArray(body)) return body;
    return body.items || body.jobs || body.Items || [];
  }
  async function jobsIn(status, limit) {
    return jobsOf(await getJson(`/jobs/${status}?limit=${limit}`));
  }

  async function queues(jobsByStatus) {
    try {
      const body = await getJson("/queues");
      const list = body.queues || body.items || body;
      if (Array.isArray(list)) return list;
    } catch (_) {}
    try {
      const body = await getJson("/twin/queues");
      if (Array.isArray(body.queues)) return body.queues;
    } catch (_) {}
    // Last resort: count what the job lists show.
    const map = new Map();
    for (const [status, jobs] of Object.entries(jobsByStatus)) {
      for (const j of jobs) {
        const q = map.get(j.queueName || "?") || { queueName: j.queueName || "?" };
        q[status] = (q[status] || 0) + 1;
        map.set(q.queueName, q);
      }
    }
    return [...map.values()];
  }

  // Meanings of error codes, for records that do not carry them (served beside the page).
  let codes = { errors: {}, warnings: {} };
  fetch("/dashboard/codes.json")
    .then((r) => (r.ok ? r.json() : codes))
    .then((c) => (codes = c))
    .catch(() => undefined);
  function meaningOf(err) {
    if (!err) return undefined;
    const known = codes.errors[String(err.code)];
    return err.meaning || (known && known.meaning) || err.category;
  }

  async function refresh() {
    const now = Date.now();
    const [submitted, progressing, complete, error, canceled] = await Promise.all([
      jobsIn("SUBMITTED", 100),
      jobsIn("PROGRESSING", 100),
      jobsIn("COMPLETE", FINISHED_SHOWN),
      jobsIn("ERROR", ERRORS_SHOWN),
      jobsIn("CANCELED", FINISHED_SHOWN),
    ]);
    const live = [...progressing, ...submitted].sort((a, b) => (b.createdAt || 0) - (a.createdAt || 0));
    syncTable(document.querySelector("#live tbody"), live, (j) => [
      { text: j.jobId, attrs: { class: "mono" } },
      { text: text(j.queueName) },
      { text: j.status, attrs: { class: `status ${j.status}` } },
      { bar: true },
      { text: text(j.currentPhase) },
      { text: eta(j, now) },
      { text: duration(queueWait(j, now)) },
      { text: j.speed ? `${Number(j.speed).toFixed(1)}×` : "—" },
    ]);
    document.getElementById("live-empty").hidden = live.length > 0;
    document.getElementById("live-count").textContent = `(${live.length})`;

    const finished = [...complete, ...error, ...canceled]
      .sort((a, b) => (b.finishedAt || b.lastEventAt || 0) - (a.finishedAt || a.lastEventAt || 0))
      .slice(0, FINISHED_SHOWN);
    syncTable(document.querySelector("#finished tbody"), finished, (j) => [
      { text: j.jobId, attrs: { class: "mono" } },
      { text: text(j.queueName) },
      { text: j.status, attrs: { class: `status ${j.status}` } },
      { bar: true },
      { text: clock(j.finishedAt || j.lastEventAt) },
      { text: duration(queueWait(j, now)) },
      { text: duration(j.transcodingMs) },
      { text: j.speed ? `${Number(j.speed).toFixed(1)}×` : "—" },
    ]);

    const errs = [...error].sort((a, b) => (b.finishedAt || 0) - (a.finishedAt || 0)).slice(0, ERRORS_SHOWN);
    syncTable(document.querySelector("#errors tbody"), errs, (j) => [
      { text: j.jobId, attrs: { class: "mono" } },
      { text: text(j.queueName) },
      { text: text(j.error && j.error.code) },
      { text: text(meaningOf(j.error)), attrs: { class: "meaning" } },
      { text: text(j.error && j.error.message), attrs: { class: "meaning" } },
      { text: clock(j.finishedAt || j.lastEventAt) },
    ]);
    document.getElementById("errors-empty").hidden = errs.length > 0;

    const qs = await queues({ SUBMITTED: submitted, PROGRESSING: progressing, COMPLETE: complete, ERROR: error, CANCELED: canceled });
    const qbody = document.querySelector("#queues tbody");
    qbody.replaceChildren(
      ...qs
        .sort((a, b) => String(a.queueName).localeCompare(String(b.queueName)))
        .map((q) =>
          el("tr", { "data-queue": q.queueName }, [
            el("td", {}, [text(q.queueName)]),
            ...["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"].map((s) => el("td", { "data-status": s }, [String(q[s] || 0)])),
            el("td", {}, [clock(q.lastActivityAt)]),
          ]),
        ),
    );
  }

  const health = document.getElementById("health");
  async function loop() {
    try {
      await refresh();
      health.textContent = `updated ${new Date().toLocaleTimeString()}`;
      health.classList.remove("bad");
    } catch (err) {
      health.textContent = `cannot reach the Jobs API: ${err.message}`;
      health.classList.add("bad");
    }
    setTimeout(loop, REFRESH);
  }
  loop();
})();
