// The SMART launch's new-window fallback (Smart/SmartPages.cs). In the chart's frame: a token made
// here goes with the sign-in window's launch; the frame then waits for that window to hand it the
// widget's address and opens it. In the window: hand the address to the opener, on Huddle's origin
// only, and close. Nothing is fetched: a window opened by anything but this frame (a link someone sent
// a clinician, made with a token of their own) has no Huddle opener and hands the session to nobody.
(() => {
  const signedIn = document.getElementById('smart-signed-in');
  if (signedIn) {
    const { widget, frame } = signedIn.dataset;
    signedIn.removeAttribute('data-widget');
    let huddleOpener = false;
    try {
      // Readable only when the opener is a page of Huddle's origin (another origin's throws).
      huddleOpener = window.opener !== null && window.opener.location.origin === location.origin;
    } catch {
      huddleOpener = false;
    }
    if (huddleOpener && typeof widget === 'string' && widget.startsWith('/w/')) {
      // targetOrigin: only a page of Huddle's origin gets it (the frame checks the window and the token).
      window.opener.postMessage({ huddle: 'smart-signed-in', frame, widget }, location.origin);
      // A window the frame opened closes itself; one the browser will not close says what to do.
      setTimeout(() => window.close(), 1500);
    } else {
      signedIn.hidden = true;
      document.getElementById('smart-no-opener').hidden = false;
    }
    return;
  }
  const button = document.getElementById('smart-new-window');
  if (!button) {
    return;
  }
  const waiting = document.getElementById('smart-waiting');
  button.addEventListener('click', () => {
    const token = Array.from(crypto.getRandomValues(new Uint8Array(32)), b => b.toString(16).padStart(2, '0')).join('');
    const popup = window.open(button.dataset.launch + '&frame=' + token, '_blank', 'popup,width=560,height=760');
    if (!popup) {
      waiting.textContent = 'Your browser blocked the sign-in window. Allow pop-ups for Huddle, then try again.';
      waiting.hidden = false;
      return;
    }
    button.disabled = true;
    waiting.textContent = 'Waiting for the sign-in window… Huddle opens here when it is done.';
    waiting.hidden = false;
    window.addEventListener('message', event => {
      const data = event.data;
      // From the window this frame opened, on Huddle's origin, for this launch: anything else is ignored.
      if (event.origin !== location.origin || event.source !== popup || !data || data.huddle !== 'smart-signed-in' || data.frame !== token) {
        return;
      }
      if (typeof data.widget === 'string' && data.widget.startsWith('/w/')) {
        location.replace(data.widget);
      }
    });
    // The window closed without signing in: the button works again.
    const watch = setInterval(() => {
      if (popup.closed) {
        clearInterval(watch);
        button.disabled = false;
      }
    }, 1000);
  });
})();
