// Huddle's service worker (docs/api.md, "Push"; docs/security.md, "Push").
// It caches the shell only (styles, icons, the manifest): never a page, an API answer or anything of a
// patient's. It shows pushed pings as notifications and opens the handoff on a click.
const SHELL = 'huddle-shell-v1';
const SHELL_FILES = ['/app.css', '/favicon.svg', '/manifest.webmanifest', '/icons/huddle-192.png', '/icons/huddle-512.png'];

self.addEventListener('install', event => {
  event.waitUntil(caches.open(SHELL).then(cache => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

// No clients.claim(): a page open while the worker installs keeps going as it started (its fetches
// are never handed to a worker mid-flight); the next page is the worker's.
self.addEventListener('activate', event => {
  event.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(k => k !== SHELL).map(k => caches.delete(k)))));
});

self.addEventListener('fetch', event => {
  const url = new URL(event.request.url);
  // Only the shell's own files, by exact path; everything else goes to the network untouched.
  if (event.request.method === 'GET' && url.origin === self.location.origin && SHELL_FILES.includes(url.pathname)) {
    event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
  }
});

// The payload is PHI-free by construction: the notice text ("Urgent warm handoff — Exam 3 — open Huddle") and ids.
function show(data) {
  const options = {
    body: data.body,
    tag: data.tag,
    renotify: true,
    icon: '/icons/huddle-192.png',
    badge: '/icons/huddle-192.png',
    requireInteraction: !!data.requireInteraction,
    data: { url: data.url, ids: data.ids || {}, kind: data.kind },
    actions: (data.actions || []).slice(0, 2),
  };
  if (data.vibrate) {
    options.vibrate = [300, 150, 300, 150, 300];
  }
  return self.registration.showNotification(data.title || 'Huddle', options);
}

self.addEventListener('push', event => {
  let data;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    data = null;
  }
  // A push must show something (browsers require it): an unreadable one still says where to look.
  event.waitUntil(show(data && data.body ? data : { body: 'Open Huddle', tag: 'huddle', url: '/inbox' }));
});

// Opens url (a path of Huddle's) in a Huddle window, focused, or in a new one. A window this worker
// does not control yet (opened before it was installed) cannot be navigated by it: that page is
// asked to go there itself (app.js).
async function focusOrOpen(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find(c => new URL(c.url).origin === self.location.origin);
  if (!client) {
    return self.clients.openWindow(url);
  }
  try {
    await client.focus();
  } catch {
    // Focus needs the click's user activation; the page still goes to the handoff.
  }
  try {
    return await client.navigate(url);
  } catch {
    client.postMessage({ type: 'huddle-open', url });
    return client;
  }
}

// "Accept — 5 min" from the lock screen: the browser's own session (its cookie) makes the call, with
// an op id per handoff and version, so a second tap is the same acceptance. Without a session, or on
// any refusal, the handoff opens instead and the clinician decides there.
async function accept(data) {
  const ids = data.ids || {};
  try {
    const response = await fetch(`/session/handoffs/${encodeURIComponent(ids.handoffId)}/accept`, {
      method: 'POST',
      credentials: 'same-origin',
      // Without a session the server redirects to the sign-in page: that is a refusal here, not an answer.
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ etaMinutes: 5, opId: `push-accept-${ids.handoffId}-${ids.version}` }),
    });
    if (response.ok) {
      return focusOrOpen(data.url);
    }
  } catch {
    // Offline or refused: open the handoff.
  }
  return focusOrOpen(data.url);
}

function handleClick(notification, action) {
  const data = notification.data || {};
  notification.close();
  return action === 'accept' ? accept(data) : focusOrOpen(data.url || '/inbox');
}

self.addEventListener('notificationclick', event => {
  event.waitUntil(handleClick(event.notification, event.action));
});

// A page of Huddle's own may act on a shown notification as a click would (by its tag). No browser
// automation can click an operating system's notification, so this is also how the tests click one.
self.addEventListener('message', event => {
  const message = event.data || {};
  if (message.type === 'notification-click' && event.source && new URL(event.source.url).origin === self.location.origin) {
    event.waitUntil(self.registration.getNotifications({ tag: message.tag })
      .then(shown => shown.length ? handleClick(shown[0], message.action || '') : undefined));
  }
});
