// mcjobs dashboard, the file-name search: GET /jobs?input=<prefix> (start of the input file name, letter case
// ignored, paged with nextToken). Each hit is a job row; picking one opens its detail view.
(() => {
  "use strict";
  const { el, text, fileName, inputUri, getJson, utc, clock } = window.MC;
  const box = document.getElementById("search-input");
  const out = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const note = document.getElementById("search-note");
  let asked = ""; // the prefix whose answers are shown
  let nextToken;
  let timer;

  function row(j) {
    return el("tr", { "data-job-id": j.jobId, "data-status": j.status, tabindex: "0", class: "job-row", title: "Open this job" }, [
      el("td", { class: "file", "data-label": "file", title: inputUri(j) }, [text(fileName(inputUri(j)))]),
      el("td", { class: "mono id", "data-label": "job" }, [j.jobId]),
      el("td", { "data-label": "queue" }, [text(j.queueName)]),
      el("td", { class: `status ${j.status}`, "data-label": "status" }, [j.status]),
      el("td", { "data-label": "created", title: utc(j.createdAt) }, [clock(j.createdAt)]),
    ]);
  }

  async function ask(prefix, token) {
    const q = `/jobs?input=${encodeURIComponent(prefix)}&limit=20${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`;
    try {
      const body = await getJson(q);
      if (box.value.trim() !== prefix) return; // a newer prefix was typed meanwhile
      const tbody = out.querySelector("tbody");
      if (!token) tbody.replaceChildren();
      tbody.append(...body.jobs.map(row));
      nextToken = body.nextToken;
      more.hidden = !nextToken;
      out.hidden = tbody.children.length === 0;
      note.textContent = tbody.children.length ? "" : `No job's input file name starts with “${prefix}”.`;
    } catch (err) {
      note.textContent = err.message;
      out.hidden = true;
      more.hidden = true;
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const prefix = box.value.trim();
      if (prefix === asked) return;
      asked = prefix;
      nextToken = undefined;
      if (!prefix) {
        out.hidden = true;
        more.hidden = true;
        note.textContent = "";
        return;
      }
      ask(prefix);
    }, 200);
  });
  // Enter in the box opens the first hit.
  box.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const first = out.querySelector("tr.job-row");
    if (first && !out.hidden) MC.openJob(first.dataset.jobId);
  });
  more.addEventListener("click", () => nextToken && ask(asked, nextToken));
})();
