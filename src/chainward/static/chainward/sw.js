// Service worker of the offline field checks (issue 15 item 5), served at /sw.js so that its
// scope covers /fieldchecks/offline/. It only reads: the check pages come from the network
// when there is one (and are kept), from the cache when there is none; static files come from
// the cache first. Runs are not sent from here — offline.js sends them from the page (the
// `online` event and on load), where the inspector sees what happened to each.
const CACHE = "chainward-offline-v1";
const PAGES = "/fieldchecks/offline/";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("chainward-offline-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

const keep = async (request, response) => {
  // Only whole pages of this site: never a redirect (to the login page) or an error.
  if (response.ok && !response.redirected && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
};

const networkFirst = async (request) => {
  try {
    return await keep(request, await fetch(request));
  } catch (offline) {
    const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
    throw offline;
  }
};

const cacheFirst = async (request) => {
  const cached = await caches.match(request, { ignoreVary: true });
  return cached || keep(request, await fetch(request));
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(PAGES)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  }
});
