// mcjobs dashboard, per-queue pictures from GET /queues/{name}/series?hours=H: jobs finished and failed per
// interval, the backlog (jobs in SUBMITTED) at each interval's end, and the queue wait p50/p90. Plain SVG: a few
// dozen bars per chart need no library, and the page keeps working without a build step. ?hours=<1..24> (default 6).
(() => {
  "use strict";
  const { el, getJson, duration } = window.MC;
  const HOURS = Math.min(24, Math.max(1, Math.round(Number(MC.params.get("hours")) || 6)));
  const EVERY_MS = Math.max(MC.REFRESH || 1000, 10_000);
  const NS = "http://www.w3.org/2000/svg";
  const W = 300;
  const H = 90;
  const PAD = { l: 30, b: 14, t: 6 };
  const box = document.getElementById("charts");
  let last = 0;
  let busy = false;

  function svg(tag, attrs, children) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined) e.setAttribute(k, String(v));
    for (const c of children || []) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const hhmm = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  /**
   * One chart: per interval, stacked bars (`series` with `kind: "bar"`) or points joined by a line (`kind: "line"`).
   * Every bar is a <rect data-kind data-value data-start> so its figure can be read back from the page.
   */
  function chart(title, intervals, series, format) {
    const max = Math.max(
      1,
      ...intervals.map((iv) => series.filter((s) => s.kind === "bar").reduce((a, s) => a + (iv[s.key] || 0), 0)),
      ...intervals.flatMap((iv) => series.filter((s) => s.kind === "line").map((s) => iv[s.key] || 0)),
    );
    const plotW = W - PAD.l;
    const plotH = H - PAD.b - PAD.t;
    const bw = plotW / intervals.length;
    const y = (v) => PAD.t + plotH - (v / max) * plotH;
    const parts = [
      svg("line", { x1: PAD.l, x2: W, y1: y(0), y2: y(0), stroke: "#c9ceda" }),
      svg("text", { x: PAD.l - 3, y: y(max) + 4, "text-anchor": "end", class: "axis" }, [format(max)]),
      svg("text", { x: PAD.l - 3, y: y(0), "text-anchor": "end", class: "axis" }, [format(0)]),
      svg("text", { x: PAD.l, y: H - 2, class: "axis" }, [hhmm(intervals[0].start)]),
      svg("text", { x: W, y: H - 2, "text-anchor": "end", class: "axis" }, [hhmm(intervals[intervals.length - 1].end)]),
    ];
    intervals.forEach((iv, i) => {
      let base = 0;
      for (const s of series.filter((x) => x.kind === "bar")) {
        const v = iv[s.key] || 0;
        const rect = svg(
          "rect",
          {
            x: PAD.l + i * bw + 0.5,
            width: Math.max(1, bw - 1),
            y: y(base + v),
            height: y(base) - y(base + v),
            fill: s.color,
            "data-kind": s.key,
            "data-value": v,
            "data-start": iv.start,
          },
          [svg("title", {}, [`${hhmm(iv.start)}–${hhmm(iv.end)}: ${v} ${s.name}`])],
        );
        parts.push(rect);
        base += v;
      }
    });
    for (const s of series.filter((x) => x.kind === "line")) {
      const pts = intervals
        .map((iv, i) => (typeof iv[s.key] === "number" ? [PAD.l + (i + 0.5) * bw, y(iv[s.key]), iv] : null))
        .filter(Boolean);
      if (pts.length > 1)
        parts.push(
          svg("polyline", {
            points: pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" "),
            fill: "none",
            stroke: s.color,
            "stroke-width": 1.5,
          }),
        );
      for (const [x, yy, iv] of pts) {
        parts.push(
          svg("circle", { cx: x, cy: yy, r: 2, fill: s.color, "data-kind": s.key, "data-value": iv[s.key], "data-start": iv.start }, [
            svg("title", {}, [`${hhmm(iv.start)}–${hhmm(iv.end)}: ${s.name} ${format(iv[s.key])}`]),
          ]),
        );
      }
    }
    const legend = el(
      "div",
      { class: "legend" },
      series.map((s) => {
        const span = el("span", {}, [s.name]);
        span.style.setProperty("--c", s.color);
        return span;
      }),
    );
    return el("figure", { class: "mini" }, [
      el("figcaption", {}, [title]),
      svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title }, parts),
      legend,
    ]);
  }

  function card(body) {
    const iv = body.intervals;
    const mins = Math.round(body.intervalMs / 60_000);
    return el("div", { class: "chart", "data-queue": body.queueName }, [
      el("h3", {}, [`${body.queueName} · last ${body.hours} h · ${mins}-minute intervals`]),
      body.truncated ? el("p", { class: "empty" }, ["Busy queue: only the newest jobs are counted."]) : null,
      chart(
        "finished per interval",
        iv,
        [
          { key: "completed", name: "complete", kind: "bar", color: "#2e8b57" },
          { key: "failed", name: "failed", kind: "bar", color: "#c0392b" },
          { key: "canceled", name: "canceled", kind: "bar", color: "#6b7385" },
        ],
        String,
      ),
      chart("backlog (submitted, not started)", iv, [{ key: "backlog", name: "backlog", kind: "bar", color: "#d68910" }], String),
      chart(
        "queue wait",
        iv,
        [
          { key: "waitP50Ms", name: "p50", kind: "line", color: "#2f6fdd" },
          { key: "waitP90Ms", name: "p90", kind: "line", color: "#8e44ad" },
        ],
        (ms) => (ms >= 1000 ? duration(ms) : `${Math.round(ms)} ms`),
      ),
    ]);
  }

  async function draw(queues) {
    if (busy || Date.now() - last < EVERY_MS) return;
    busy = true;
    last = Date.now();
    try {
      const names = queues.map((q) => q.queueName).filter((n) => n && n !== "?");
      const bodies = await Promise.all(
        names.map((n) => getJson(`/queues/${encodeURIComponent(n)}/series?hours=${HOURS}`).catch((err) => ({ queueName: n, err }))),
      );
      box.replaceChildren(
        ...bodies.map((b) =>
          b.err
            ? el("div", { class: "chart", "data-queue": b.queueName }, [
                el("p", { class: "empty" }, [`${b.queueName}: no history (${b.err.message})`]),
              ])
            : card(b),
        ),
      );
    } finally {
      busy = false;
    }
  }
  MC.onQueues = (qs) => {
    draw(qs);
  };
})();
