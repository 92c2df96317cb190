// "My devices": this device's push subscription (docs/api.md, "Push"). The device id is chosen here and
// kept in this browser's storage, so the server can name this device on the list and at sign-out.
const KEY = 'huddle.pushDevice';

function storedDevice() {
  try { return localStorage.getItem(KEY); } catch { return null; }
}

function keep(deviceId) {
  try { localStorage.setItem(KEY, deviceId); } catch { /* a framed page: it is named again next time */ }
}

function fromBase64Url(text) {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - text.length % 4) % 4);
  return Uint8Array.from(atob(padded), c => c.charCodeAt(0));
}

/** What this browser can do and has done: support, permission, and this device's id if it subscribed. */
export async function state() {
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  const standalone = window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const phone = /Android|iPhone|iPad|iPod|Mobile/.test(navigator.userAgent) || window.matchMedia('(max-width: 600px)').matches;
  let subscribed = false;
  if (supported) {
    const registration = await navigator.serviceWorker.getRegistration('/');
    subscribed = !!(registration && await registration.pushManager.getSubscription());
  }
  return {
    supported,
    permission: supported ? Notification.permission : 'unsupported',
    deviceId: subscribed ? storedDevice() : null,
    standalone,
    ios,
    phone,
    canInstall: !!window.huddleInstallPrompt,
  };
}

/** A name the list can show before the clinician renames it: the kind of device, no more. */
function guessName() {
  const ua = navigator.userAgent;
  const what = /iPhone/.test(ua) ? 'iPhone' : /iPad/.test(ua) ? 'iPad' : /Android/.test(ua) ? 'Android phone'
    : /Macintosh/.test(ua) ? 'Mac' : /Windows/.test(ua) ? 'Windows computer' : /Linux/.test(ua) ? 'Linux computer' : 'Device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'browser';
  return `${browser} on ${what}`;
}

/** Asks for permission and subscribes; returns what the server stores, or an error to show. */
export async function enable(publicKey) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    return { error: permission === 'denied' ? 'blocked' : 'dismissed' };
  }
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    try {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) });
    } catch (e) {
      return { error: 'subscribe', message: String(e && e.message || e) };
    }
  }
  const json = subscription.toJSON();
  const deviceId = storedDevice() || `d-${crypto.randomUUID()}`;
  keep(deviceId);
  return { deviceId, name: guessName(), endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}

/** Unsubscribes this browser (the server's copy is removed by the page). */
export async function disable() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = registration && await registration.pushManager.getSubscription();
  if (subscription) {
    await subscription.unsubscribe();
  }
  try { localStorage.removeItem(KEY); } catch { /* nothing kept */ }
}

/** Shows the browser's own install prompt, when it offered one. */
export async function install() {
  const prompt = window.huddleInstallPrompt;
  if (!prompt) {
    return false;
  }
  window.huddleInstallPrompt = null;
  prompt.prompt();
  const choice = await prompt.userChoice;
  return choice.outcome === 'accepted';
}
