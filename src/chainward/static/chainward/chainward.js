// Chainward's only script of its own: small keyboard and form conveniences (CSP: no inline JS).
document.addEventListener("DOMContentLoaded", () => {
  // "/" jumps to the global search, as in most web tools.
  document.addEventListener("keydown", (event) => {
    const tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "/" && !["input", "textarea", "select"].includes(tag) && !event.target.isContentEditable) {
      const search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });
  // The sign-in page (after logging out, or when the session ended) forgets the check pages
  // the offline service worker kept for the person who was signed in: the next person on this
  // phone must sign in to see them. Runs saved offline and not yet sent (IndexedDB) stay: they
  // are sent, under the server's own rules, when their inspector is signed in again.
  if (document.querySelector("[data-forget-offline-pages]") && "caches" in window) {
    caches.keys().then((names) => Promise.all(names
      .filter((name) => name.startsWith("chainward-offline-"))
      .map((name) => caches.delete(name))))
      .then(() => document.documentElement.setAttribute("data-offline-pages-forgotten", ""))
      .catch(() => {});
  }
  // Selects marked data-autosubmit submit their form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
