// mcjobs dashboard: plain browser JavaScript, no build step. Polls the Jobs API and redraws the lists in place;
// detail.js, search.js and charts.js add the job view, the file-name search and the per-queue pictures.
// Query parameters: ?api=<base URL of the Jobs API> (default: this page's origin), ?refresh=<ms> (default 1000).
(() => {
  "use strict";
  const { el, text, duration, fileName, inputUri, percentOf, barLabel, queueWait, eta, getJson, meaningOf, openJob, utc, clock } =
    window.MC;
  const REFRESH = Math.max(250, Number(MC.params.get("refresh")) || 1000);
  const FINISHED_SHOWN = 15;
  const ERRORS_SHOWN = 10;
  MC.REFRESH = REFRESH;

  document.getElementById("refresh-every").textContent = REFRESH >= 1000 ? `${REFRESH / 1000} s` : `${REFRESH} ms`;

  // ---- progress bars, updated in place so they animate instead of being redrawn ----------------------------
  function bar(job) {
    const wrap = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }, [
      el("div", { class: "fill" }),
      el("span", { class: "label" }),
    ]);
    updateBar(wrap, job);
    return wrap;
  }
  function updateBar(wrap, job) {
    const pct = percentOf(job);
    wrap.className = `bar ${job.status}${job.stalled || job.stale ? " stuck" : ""}`;
    wrap.dataset.percent = String(pct);
    wrap.dataset.status = job.status;
    wrap.setAttribute("aria-valuenow", String(pct));
    wrap.querySelector(".fill").style.width = `${pct}%`;
    wrap.querySelector(".label").textContent = barLabel(job);
  }
  MC.bar = bar;

  /** Cell of a job row. `label` names the column when rows become cards on narrow screens. */
  function fill(td, v, job) {
    if (v.bar) {
      if (td.firstChild?.classList?.contains("bar")) updateBar(td.firstChild, job);
      else td.replaceChildren(bar(job));
    } else if (td.textContent !== v.text) td.textContent = v.text;
    td.className = v.cls || "";
    td.dataset.label = v.label;
    if (v.title) td.title = v.title;
    else td.removeAttribute("title");
  }
  function syncTable(tbody, jobs, cells) {
    const want = new Set(jobs.map((j) => j.jobId));
    for (const tr of [...tbody.children]) if (!want.has(tr.dataset.jobId)) tr.remove();
    let prev = null;
    for (const job of jobs) {
      let tr = tbody.querySelector(`tr[data-job-id="${CSS.escape(job.jobId)}"]`);
      const values = cells(job);
      if (!tr) {
        tr = el("tr", { "data-job-id": job.jobId, tabindex: "0", class: "job-row", title: "Open this job" });
        for (const _ of values) tr.append(el("td"));
      }
      for (const [i, td] of [...tr.children].entries()) fill(td, values[i], job);
      tr.dataset.status = job.status;
      if (prev ? prev.nextSibling !== tr : tbody.firstChild !== tr) tbody.insertBefore(tr, prev ? prev.nextSibling : tbody.firstChild);
      prev = tr;
    }
  }
  MC.syncTable = syncTable;

  // Any job row opens its detail view, by click or by Enter when focused.
  document.addEventListener("click", (e) => {
    const tr = e.target.closest?.("tr.job-row");
    if (tr) openJob(tr.dataset.jobId);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const tr = e.target.closest?.("tr.job-row");
    if (tr) openJob(tr.dataset.jobId);
  });

  const fileCell = (j) => ({ text: text(fileName(inputUri(j))), title: inputUri(j), cls: "file", label: "file" });
  const idCell = (j) => ({ text: j.jobId, cls: "mono id", label: "job" });
  const timeCell = (ms, label) => ({ text: clock(ms), title: utc(ms), label });
  MC.rowCells = { fileCell, idCell, timeCell };

  // ---- data -----------------------------------------------------------------------------------------------------
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
      fileCell(j),
      idCell(j),
      { text: text(j.queueName), label: "queue" },
      { text: j.status, cls: `status ${j.status}`, label: "status" },
      { bar: true, cls: "progress", label: "progress" },
      { text: text(j.currentPhase), label: "phase" },
      {
        text: eta(j, now),
        label: "ETA",
        title: j.stalledSince ? `flat since ${utc(j.stalledSince)}` : j.staleSince ? `no news since ${utc(j.staleSince)}` : undefined,
      },
      { text: duration(queueWait(j, now)), label: "queue wait" },
      { text: j.speed ? `${Number(j.speed).toFixed(1)}×` : "—", label: "speed" },
    ]);
    document.getElementById("live-empty").hidden = live.length > 0;
    document.getElementById("live-count").textContent = `(${live.length})`;

    const finished = [...complete, ...error, ...canceled]
      .sort((a, b) => (b.finishedAt || b.lastEventAt || 0) - (a.finishedAt || a.lastEventAt || 0))
      .slice(0, FINISHED_SHOWN);
    syncTable(document.querySelector("#finished tbody"), finished, (j) => [
      fileCell(j),
      idCell(j),
      { text: text(j.queueName), label: "queue" },
      { text: j.status, cls: `status ${j.status}`, label: "status" },
      { bar: true, cls: "progress", label: "progress" },
      timeCell(j.finishedAt || j.lastEventAt, "finished"),
      { text: duration(queueWait(j, now)), label: "queue wait" },
      { text: duration(j.transcodingMs), label: "transcoding" },
      { text: j.speed ? `${Number(j.speed).toFixed(1)}×` : "—", label: "speed" },
    ]);

    const errs = [...error].sort((a, b) => (b.finishedAt || 0) - (a.finishedAt || 0)).slice(0, ERRORS_SHOWN);
    syncTable(document.querySelector("#errors tbody"), errs, (j) => [
      fileCell(j),
      idCell(j),
      { text: text(j.queueName), label: "queue" },
      { text: text(j.error?.code), label: "code", cls: "code" },
      { text: text(meaningOf(j.error)), cls: "prose", label: "meaning" },
      { text: text(j.error?.message), cls: "prose", label: "message" },
      timeCell(j.finishedAt || j.lastEventAt, "when"),
    ]);
    document.getElementById("errors-empty").hidden = errs.length > 0;

    const qs = await queues({ SUBMITTED: submitted, PROGRESSING: progressing, COMPLETE: complete, ERROR: error, CANCELED: canceled });
    qs.sort((a, b) => String(a.queueName).localeCompare(String(b.queueName)));
    document
      .querySelector("#queues tbody")
      .replaceChildren(
        ...qs.map((q) =>
          el("tr", { "data-queue": q.queueName }, [
            el("td", { "data-label": "queue" }, [text(q.queueName)]),
            ...["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"].map((s) =>
              el("td", { "data-status": s, "data-label": s.toLowerCase() }, [String(q[s] || 0)]),
            ),
            el("td", { "data-label": "last activity", title: utc(q.lastActivityAt) }, [clock(q.lastActivityAt)]),
          ]),
        ),
      );
    if (MC.onQueues) MC.onQueues(qs);
  }

  const health = document.getElementById("health");
  async function loop() {
    try {
      await refresh();
      if (MC.refreshDetail) await MC.refreshDetail();
      health.textContent = `updated ${new Date().toLocaleTimeString()}`;
      health.classList.remove("bad");
    } catch (err) {
      health.textContent = `cannot reach the Jobs API: ${err.message}`;
      health.classList.add("bad");
    }
    setTimeout(loop, REFRESH);
  }
  // Started once every script has loaded, so the detail view and charts can hook in first.
  window.addEventListener("DOMContentLoaded", loop);
})();
