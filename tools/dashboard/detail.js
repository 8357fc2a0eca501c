// mcjobs dashboard, the job detail view: `#/jobs/<jobId>` shows one job from GET /jobs/{jobId}?events=true and
// hides the lists. Re-read on every poll while the job is still queued or running.
(() => {
  "use strict";
  const { el, text, duration, fileName, inputUri, timeEl, eta, queueWait, getJson, meaningOf, warningMeaning, utc } = window.MC;
  const view = document.getElementById("detail");
  const overview = document.getElementById("overview");
  let shown; // { jobId, job }

  function jobIdFromHash() {
    const m = /^#\/jobs\/(.+)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : undefined;
  }
  const dl = (pairs) =>
    el(
      "dl",
      { class: "facts" },
      pairs
        .filter(([, v]) => v !== undefined && v !== null && v !== "")
        .flatMap(([k, v]) => [el("dt", {}, [k]), el("dd", {}, [v instanceof Node ? v : String(v)])]),
    );
  const section = (title, body, id) => el("section", { class: "panel", id }, [el("h3", {}, [title]), body]);
  const list = (items, cls) =>
    el(
      "ul",
      { class: cls },
      items.map((i) => el("li", {}, [i])),
    );

  /** Probe facts as "key: value" lines, nested objects flattened with dots. */
  function flat(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === "object" && !Array.isArray(v)) flat(v, key, out);
      else if (Array.isArray(v))
        for (const [i, x] of v.entries()) {
          if (x && typeof x === "object") flat(x, `${key}[${i}]`, out);
          else out.push([`${key}[${i}]`, x]);
        }
      else if (v !== undefined) out.push([key, v]);
    }
    return out;
  }

  function progressText(job, now) {
    if (job.stale) return `stale${job.staleSince ? ` since ${new Date(job.staleSince).toLocaleTimeString()}` : ""}`;
    if (job.stalled) return `stalled${job.stalledSince ? ` since ${new Date(job.stalledSince).toLocaleTimeString()}` : ""}`;
    const e = eta(job, now);
    return e === "—" ? undefined : `ETA ${e}`;
  }

  function timeline(events) {
    const rows = events.map((ev) => {
      const e = ev.event || {};
      return el("tr", { "data-status": ev.status }, [
        el("td", { "data-label": "time" }, [timeEl(ev.timestamp)]),
        el("td", { "data-label": "event", class: `status ${ev.status}` }, [ev.status]),
        el("td", { "data-label": "%" }, [e.percentComplete === undefined ? "—" : `${e.percentComplete}%`]),
        el("td", { "data-label": "phase" }, [text(e.currentPhase)]),
      ]);
    });
    return el("table", { class: "grid", id: "timeline" }, [
      el("thead", {}, [
        el(
          "tr",
          {},
          ["time", "event", "%", "phase"].map((h) => el("th", {}, [h])),
        ),
      ]),
      el("tbody", {}, rows),
    ]);
  }

  function render(job) {
    const now = Date.now();
    const uri = inputUri(job);
    const outputs = job.outputs || [];
    const playlists = [...new Set(outputs.flatMap((o) => o.playlistPaths || []))];
    const s = job.settings;
    const parts = [
      el("p", {}, [el("a", { href: "#/", class: "back" }, ["← all jobs"])]),
      el("h2", { class: "file-title" }, [text(fileName(uri) || job.jobId)]),
      dl([
        ["job", el("span", { class: "mono" }, [job.jobId])],
        ["input", uri && el("span", { class: "mono wrap", id: "detail-input" }, [uri])],
        ["status", el("span", { class: `status ${job.status}` }, [job.status])],
        ["phase", job.currentPhase],
        ["progress", MC.bar(job)],
        ["", progressText(job, now)],
        ["queue", job.queueName],
        ["queue wait", duration(queueWait(job, now))],
        ["transcoding", job.transcodingMs !== undefined ? duration(job.transcodingMs) : undefined],
        ["speed", job.speed ? `${Number(job.speed).toFixed(1)}×` : undefined],
        ["created", job.createdAt && timeEl(job.createdAt)],
        ["started", job.progressingAt && timeEl(job.progressingAt)],
        ["finished", job.finishedAt && timeEl(job.finishedAt)],
        ["last event", job.lastEventAt && timeEl(job.lastEventAt)],
      ]),
    ];
    if (job.error) {
      parts.push(
        section(
          "Error",
          dl([
            ["code", job.error.code],
            ["meaning", meaningOf(job.error)],
            ["message", job.error.message],
          ]),
          "detail-error",
        ),
      );
    }
    if (job.warnings?.length) {
      parts.push(
        section(
          "Warnings",
          list(job.warnings.map((w) => `${w.code} ×${w.count}${warningMeaning(w) ? ` — ${warningMeaning(w)}` : ""}`)),
          "detail-warnings",
        ),
      );
    }
    parts.push(
      section(
        "Outputs",
        outputs.length || playlists.length
          ? el("div", {}, [
              playlists.length ? el("h4", {}, ["playlists"]) : null,
              playlists.length ? list(playlists, "paths mono") : null,
              ...outputs.map((o) =>
                el("div", { class: "output" }, [
                  el("h4", {}, [
                    `${text(o.groupType)}${o.width ? ` · ${o.width}×${o.height}` : ""}${o.averageBitrate ? ` · ${Math.round(o.averageBitrate / 1000)} kb/s` : ""}`,
                  ]),
                  list(o.paths || [], "paths mono"),
                ]),
              ),
            ])
          : el("p", { class: "empty" }, ["No output reported yet."]),
        "detail-outputs",
      ),
    );
    if (s) {
      parts.push(
        section(
          "Settings",
          dl([
            ["inputs", s.inputs?.map((i) => i.uri).join(", ")],
            [
              "output groups",
              s.outputGroups?.map((g) => `${text(g.name || g.type)} (${g.outputCount}) → ${text(g.destination)}`).join("; "),
            ],
            ["queue", s.queue],
            ["priority", s.priority],
            ["acceleration", s.accelerationMode],
            ["template", s.jobTemplate],
          ]),
          "detail-settings",
        ),
      );
    }
    if (job.probe) parts.push(section("Input probe", dl(flat(job.probe, "", []).slice(0, 40)), "detail-probe"));
    if (job.queueHops?.length) {
      parts.push(
        section(
          "Queue hops",
          list(
            job.queueHops.map((h) =>
              el("span", { title: utc(h.at) }, [
                `${new Date(h.at).toLocaleTimeString()}: ${text(h.previousQueue)} → ${text(h.currentQueue)}`,
              ]),
            ),
          ),
          "detail-hops",
        ),
      );
    }
    if (job.events) {
      parts.push(section(`Events (${job.events.length}${job.eventsTruncated ? "+" : ""})`, timeline(job.events), "detail-events"));
    }
    view.replaceChildren(...parts.filter(Boolean));
    view.dataset.jobId = job.jobId;
  }

  async function load(jobId) {
    try {
      const job = await getJson(`/jobs/${encodeURIComponent(jobId)}?events=true`);
      if (jobIdFromHash() !== jobId) return;
      shown = { jobId, job };
      render(job);
    } catch (err) {
      if (jobIdFromHash() !== jobId) return;
      view.replaceChildren(
        el("p", {}, [el("a", { href: "#/", class: "back" }, ["← all jobs"])]),
        el("p", { class: "empty" }, [err.status === 404 ? `No job ${jobId} is on record.` : err.message]),
      );
    }
  }

  function route() {
    const jobId = jobIdFromHash();
    view.hidden = !jobId;
    overview.hidden = !!jobId;
    if (!jobId) {
      shown = undefined;
      delete view.dataset.jobId;
      return;
    }
    if (!shown || shown.jobId !== jobId) {
      view.replaceChildren(el("p", { class: "empty" }, ["loading…"]));
      load(jobId);
      window.scrollTo(0, 0);
    }
  }
  window.addEventListener("hashchange", route);
  route();

  MC.refreshDetail = async () => {
    if (shown && (shown.job.status === "SUBMITTED" || shown.job.status === "PROGRESSING")) await load(shown.jobId);
  };
})();
