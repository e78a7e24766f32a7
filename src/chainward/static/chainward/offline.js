// Offline check runs (issue 15 item 5). On the pages under /fieldchecks/offline/:
// - registers the service worker (/sw.js) and the web app manifest, and puts this page, the
//   check pages it links to and their static files in the cache, so they open without a
//   network;
// - "Save the check" keeps the run on the phone (IndexedDB, store "runs", keyed by the UUID the
//   phone gives the run: answers, photos as Blobs, signatures) and shows "n runs waiting to
//   send";
// - sends each waiting run to the sync endpoint on page load, on the `online` event and every
//   RETRY_MS while runs wait; a run is removed only after a 200/201. The server stores a run
//   sent twice once (same UUID). A 400/409 (the template changed, the site is no longer
//   yours…) keeps the run on the phone with the server's reason; nothing is dropped silently.
// No inline script, no library: IndexedDB and the Cache API directly (strict CSP).
(() => {
  const DB_NAME = "chainward-offline";
  const STORE = "runs";
  const CACHE = "chainward-offline-v1";
  const RETRY_MS = 20000;
  const queue = document.getElementById("offline-queue");
  if (!queue) return;
  const syncUrl = queue.dataset.syncUrl;
  const ready = document.getElementById("offline-ready");
  const sentList = document.getElementById("offline-sent");
  const problems = document.getElementById("offline-problems");
  const form = document.getElementById("offline-form");

  // --- IndexedDB ---------------------------------------------------------------------------
  const openDb = () => new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "uuid" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const inStore = async (mode, work) => {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => { db.close(); resolve(request.result); };
      transaction.onerror = transaction.onabort = () => { db.close(); reject(transaction.error); };
    });
  };
  const allRuns = () => inStore("readonly", (store) => store.getAll());
  const putRun = (run) => inStore("readwrite", (store) => store.put(run));
  const deleteRun = (uuid) => inStore("readwrite", (store) => store.delete(uuid));

  const newUuid = () => {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  const csrf = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };
  const when = (iso) => new Date(iso).toLocaleString();
  const line = (list, text, href) => {
    const item = document.createElement("li");
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      item.append(link);
    } else {
      item.textContent = text;
    }
    list.append(item);
    return item;
  };

  // --- what the phone holds ----------------------------------------------------------------
  const render = async () => {
    const runs = await allRuns();
    const waiting = runs.filter((run) => !run.rejected);
    queue.dataset.waiting = String(waiting.length);
    queue.textContent = waiting.length
      ? `${waiting.length} run${waiting.length === 1 ? "" : "s"} waiting to send` +
        (navigator.onLine ? "." : " (no network: they are sent when it returns).")
      : "No runs waiting to send.";
    problems.replaceChildren();
    runs.forEach((run) => {
      if (!run.reason) return;
      const item = line(problems, `${run.templateName} of ${when(run.createdAt)}` +
        `${run.rejected ? " was refused" : " is not sent yet"}: ${run.reason}`);
      item.className = run.rejected ? "text-danger" : "text-warning-emphasis";
      item.dataset.uuid = run.uuid;
      if (!run.rejected) return;
      const again = document.createElement("button");
      again.type = "button";
      again.className = "btn btn-sm btn-outline-secondary ms-2";
      again.textContent = "Try again";
      again.addEventListener("click", async () => {
        run.rejected = false;
        run.reason = "";
        await putRun(run);
        send();
      });
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-sm btn-outline-danger ms-2";
      discard.textContent = "Discard";
      discard.addEventListener("click", async () => {
        if (!window.confirm("Discard this run from the phone? It has not reached the server.")) return;
        await deleteRun(run.uuid);
        render();
      });
      item.append(again, discard);
    });
    return waiting.length;
  };

  // --- sending -----------------------------------------------------------------------------
  const body = (run) => {
    const data = new FormData();
    data.append("client_uuid", run.uuid);
    data.append("template", run.template);
    data.append("template_revision", run.revision);
    if (run.recordedBy) data.append("recorded_by", run.recordedBy);
    Object.entries(run.fields).forEach(([name, value]) => data.append(name, value));
    data.append("answers", JSON.stringify(run.answers));
    Object.entries(run.photos).forEach(([item, photo]) => {
      data.append(`photo-${item}`, photo, photo.name || `photo-${item}.jpg`);
    });
    Object.entries(run.signatures).forEach(([role, signature]) => {
      data.append(`${role}_name`, signature.name);
      data.append(`${role}_image_data`, signature.data);
    });
    return data;
  };
  const reasonOf = (answer, status) => {
    if (answer && typeof answer.detail === "string" && answer.detail) return answer.detail;
    if (answer && answer.errors) {
      return Object.entries(answer.errors).map(([name, messages]) =>
        `${name}: ${[].concat(messages).join(" ")}`).join("; ");
    }
    return `the server answered ${status}`;
  };

  let sending = false;
  const send = async () => {
    if (sending || !navigator.onLine) return; // offline: wait for the `online` event
    sending = true;
    try {
      for (const run of await allRuns()) {
        if (run.rejected) continue;
        let response;
        try {
          response = await fetch(syncUrl, {
            method: "POST", body: body(run), credentials: "same-origin",
            headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
          });
        } catch (offline) {
          break; // no network: the run waits for the next try
        }
        const answer = await response.json().catch(() => null);
        if (response.status === 200 || response.status === 201) {
          await deleteRun(run.uuid);
          const opened = answer && answer.incident ? " — an incident was opened"
            : answer && answer.corrective_action ? " — a corrective action was opened" : "";
          line(sentList, `Sent: ${(answer && answer.reference) || "run"}, ${run.templateName}${opened}.`,
            answer && answer.id ? `/fieldchecks/runs/${answer.id}/` : "");
        } else if (response.status === 400 || response.status === 409) {
          run.rejected = true;
          run.reason = reasonOf(answer, response.status);
          await putRun(run);
        } else {
          // Logged out (403), a server error: kept and tried again later, with the reason.
          run.reason = reasonOf(answer, response.status) +
            (response.status === 403 ? " (log in again to send it)" : "");
          await putRun(run);
          break;
        }
      }
    } finally {
      sending = false;
      await render();
    }
  };

  // --- recording a run ---------------------------------------------------------------------
  const collect = () => {
    const errors = [];
    const answers = [];
    const photos = {};
    const signatures = {};
    const value = (scope, selector) => {
      const field = scope.querySelector(selector);
      return field ? field.value.trim() : "";
    };
    const fail = (scope, message) => {
      scope.querySelector("[data-item-error]").textContent = message;
      errors.push(scope);
    };
    form.querySelectorAll("[data-item-error]").forEach((el) => { el.textContent = ""; });
    form.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
      const item = fieldset.dataset.item;
      const prefix = `i${item}-`;
      const checked = fieldset.querySelector(`input[name="${prefix}outcome"]:checked`);
      const answer = {
        item: Number(item), outcome: checked ? checked.value : "",
        text: value(fieldset, `[name="${prefix}text"]`),
        choice: value(fieldset, `[name="${prefix}choice"]`),
        note: value(fieldset, `[name="${prefix}note"]`),
      };
      const number = value(fieldset, `[name="${prefix}number"]`);
      if (number !== "") answer.number = number;
      const photoField = fieldset.querySelector(`input[type=file][name="${prefix}photo"]`);
      const photo = photoField && photoField.files.length ? photoField.files[0] : null;
      const na = answer.outcome === "na";
      const kind = fieldset.dataset.answerType;
      if (kind === "pass_fail" && !answer.outcome) fail(fieldset, "Pass, fail or N/A?");
      else if (kind === "number" && number === "" && !na) fail(fieldset, "Give the value (or not applicable).");
      else if (kind === "text" && !answer.text && !na) fail(fieldset, "Answer it (or not applicable).");
      else if (kind === "choice" && !answer.choice) fail(fieldset, "Choose one.");
      else if ((kind === "photo" || fieldset.hasAttribute("data-photo-required")) && !photo && !na) fail(fieldset, "Take the photo.");
      else if (answer.outcome === "fail" && !answer.note) fail(fieldset, "Say what was found: a failed point needs a note.");
      if (photo) photos[item] = photo;
      answers.push(answer);
    });
    form.querySelectorAll("[data-signature]").forEach((block) => {
      const role = block.dataset.role;
      const name = value(block, `input[name="sig-${role}-name"]`);
      const drawing = value(block, "input[data-signature-data]");
      if (role === "driver" && (!name || !drawing)) fail(block, "The driver types their name and signs.");
      else if (drawing && !name) fail(block, "Type the signer's name.");
      else if (name && !drawing) fail(block, "Sign in the box.");
      if (name && drawing) signatures[role] = { name, data: drawing };
    });
    const site = form.querySelector("[name=site]");
    if (!site.value) {
      errors.unshift(site);
      site.classList.add("is-invalid");
    } else {
      site.classList.remove("is-invalid");
    }
    const summary = document.getElementById("offline-form-errors");
    if (errors.length) {
      summary.textContent = `${errors.length} thing${errors.length === 1 ? "" : "s"} to complete before saving` +
        (site.value ? "." : ": choose the site first.");
      summary.classList.remove("d-none");
      errors[0].scrollIntoView({ block: "center" });
      return null;
    }
    summary.classList.add("d-none");
    const fields = {};
    ["site", "vehicle_registration", "container_number", "seal_numbers", "shipment_reference", "notes"]
      .forEach((name) => { fields[name] = form.elements[name].value.trim(); });
    return { answers, photos, signatures, fields };
  };

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const collected = collect();
      if (!collected) return;
      const createdAt = new Date().toISOString();
      collected.fields.performed_at = createdAt;
      await putRun({
        uuid: newUuid(), template: form.dataset.template, revision: form.dataset.revision,
        recordedBy: form.dataset.recordedBy,
        templateName: form.dataset.templateName, createdAt, rejected: false, reason: "",
        ...collected,
      });
      const site = form.elements.site.value;
      form.reset();
      form.elements.site.value = site; // the next check is most likely at the same site
      form.querySelectorAll("[data-signature-clear]").forEach((button) => button.click());
      line(sentList, `Saved on this phone: ${form.dataset.templateName}, ${when(createdAt)}.`);
      window.scrollTo(0, 0);
      await render();
      send();
    });
  }

  // --- working offline ---------------------------------------------------------------------
  const prepare = async () => {
    const manifest = document.createElement("link");
    manifest.rel = "manifest";
    manifest.href = "/manifest.webmanifest";
    document.head.append(manifest);
    if (!("serviceWorker" in navigator) || !("caches" in window)) {
      ready.textContent = "This browser cannot keep the checks for use without a network.";
      return;
    }
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
    const urls = new Set([location.pathname]);
    document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], a[data-offline-page]")
      .forEach((el) => {
        const url = new URL(el.src || el.href, location.href);
        if (url.origin === location.origin) urls.add(url.pathname + url.search);
      });
    (document.querySelector("[data-precache]")?.dataset.precache || "").split(" ")
      .filter(Boolean).forEach((url) => urls.add(url));
    if (navigator.onLine) {
      const cache = await caches.open(CACHE);
      await cache.addAll([...urls]);
    }
    ready.textContent = "Ready to work without a network.";
    document.body.dataset.offlineReady = "yes";
  };

  window.addEventListener("online", send);
  window.addEventListener("offline", render);
  window.setInterval(async () => {
    if (navigator.onLine && await render()) send();
  }, RETRY_MS);
  render().then(() => { if (navigator.onLine) send(); });
  prepare().catch((problem) => {
    ready.textContent = `Not ready to work without a network: ${problem.message || problem}`;
  });
})();
