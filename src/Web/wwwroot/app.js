// Registers the service worker (installable app, pushed pings) and, on sign-out, names this device so
// its push subscription is removed with the session. No patient data is read or stored here.
(() => {
  // The browser's offer to install Huddle, kept for the "Install Huddle" button of "My devices".
  window.addEventListener('beforeinstallprompt', event => {
    event.preventDefault();
    window.huddleInstallPrompt = event;
  });
  if ('serviceWorker' in navigator) {
    // After the page has loaded, so the worker's install never competes with the page's own start
    // (Blazor's scripts and circuit).
    const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* pings still reach open pages */ });
    if (document.readyState === 'complete') {
      register();
    } else {
      window.addEventListener('load', register, { once: true });
    }
    // A notification clicked while this page is not yet the worker's: the worker asks it to open the handoff.
    navigator.serviceWorker.addEventListener('message', event => {
      const message = event.data || {};
      if (message.type === 'huddle-open' && typeof message.url === 'string' && message.url.startsWith('/') && !message.url.startsWith('//')) {
        location.assign(message.url);
      }
    });
    navigator.serviceWorker.startMessages();
  }
  // A text field's counter ("34 / 4000") follows typing here, in the page. The chat's message box is bound on
  // change, not per key (a round trip per key let a render of an older value erase what was typed since), so
  // the server's counter moved only when the box lost focus and read "0 / 4000" through a whole message.
  // Only the text of MudBlazor's counter (the helper line's ".ms-auto", "N / max") is set, in its own text
  // node, so the server's next render of a changed count still writes to it; a field of another shape is left alone.
  // The server can also empty the box (a sent message) between two of its renders that both say "0 / max":
  // it then writes nothing, and the count typed stayed. So for 5 s after typing or leaving the box, the
  // count is also kept to the box's value four times a second.
  const syncCounter = field => {
    const counter = field.closest('.mud-input-control')?.querySelector(':scope > .mud-input-control-helper-container .mud-input-helper-text > .ms-auto');
    const text = counter?.firstChild;
    const shown = `${field.value.length} / ${field.maxLength}`;
    if (text instanceof Text && counter.childNodes.length === 1 && /^\d+ \/ \d+$/.test(text.data) && text.data !== shown) {
      text.data = shown;
    }
  };
  const counted = event => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) || field.maxLength <= 0) {
      return;
    }
    syncCounter(field);
    clearInterval(field.huddleCounterTimer);
    const until = Date.now() + 5000;
    field.huddleCounterTimer = setInterval(() => {
      if (!field.isConnected || Date.now() > until) {
        clearInterval(field.huddleCounterTimer);
        return;
      }
      syncCounter(field);
    }, 250);
  };
  document.addEventListener('input', counted);
  document.addEventListener('focusout', counted);
  document.addEventListener('submit', event => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.getAttribute('action') === '/signout') {
      let device = null;
      try {
        device = localStorage.getItem('huddle.pushDevice');
        localStorage.removeItem('huddle.pushDevice');
      } catch {
        // Storage refused (a framed page): nothing to name.
      }
      if (device) {
        const field = document.createElement('input');
        field.type = 'hidden';
        field.name = 'pushDevice';
        field.value = device;
        form.appendChild(field);
      }
    }
  }, true);
})();

// A page opened at an address with a fragment (a chat notification's Open goes to "…/board#team-chat") shows
// that part once it is on the page. Blazor scrolls to a fragment as it navigates, when a live page's parts
// (the board, then its chat) have not loaded yet, so a phone stayed at the top of the lanes. Once per address.
(() => {
  let seen = null;
  let revealed = null;
  const reveal = () => {
    const href = location.href;
    if (href !== seen) {
      seen = href;
      revealed = null;
    }
    if (!location.hash || revealed === href) {
      return;
    }
    let id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      return;
    }
    const target = document.getElementById(id);
    if (target) {
      revealed = href;
      requestAnimationFrame(() => target.scrollIntoView({ block: 'start' }));
    }
  };
  new MutationObserver(reveal).observe(document.documentElement, { childList: true, subtree: true });
})();
