// The SMART launch's new-window fallback (Smart/SmartPages.cs). In the chart's frame: a secret made
// here, only its SHA-256 sent with the sign-in window's launch; the frame then asks Huddle for the
// session under the secret until the window has finished, and opens the widget. In the window: close
// it once done. No token or patient data passes through this script.
(() => {
  const button = document.getElementById('smart-new-window');
  if (document.getElementById('smart-signed-in')) {
    // A window the frame opened closes itself; one the browser will not close says what to do.
    setTimeout(() => window.close(), 1500);
    return;
  }
  if (!button) {
    return;
  }
  const hex = bytes => Array.from(new Uint8Array(bytes), b => b.toString(16).padStart(2, '0')).join('');
  button.addEventListener('click', async () => {
    const secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    const hash = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
    const launch = button.dataset.launch + '&pickup=' + hash;
    window.open(launch, '_blank', 'popup,width=560,height=760');
    button.disabled = true;
    document.getElementById('smart-waiting').hidden = false;
    const until = Date.now() + 10 * 60 * 1000;
    const poll = async () => {
      if (Date.now() > until) {
        button.disabled = false;
        return;
      }
      try {
        const response = await fetch('/smart/pickup/' + secret, { cache: 'no-store', credentials: 'omit' });
        if (response.status === 200) {
          const { widget } = await response.json();
          if (typeof widget === 'string' && widget.startsWith('/w/')) {
            location.replace(widget);
            return;
          }
        }
      } catch {
        // A network blip: ask again.
      }
      setTimeout(poll, 1500);
    };
    setTimeout(poll, 1500);
  });
})();
