// The EHR widget's start (Widget/WidgetPage.razor, docs/integration.md). The session's handle is in
// this page's fragment (/w/{tenant}#hw_…): browsers never send a fragment to a server, never put it in
// a Referer, and the EHR's page cannot read a cross-origin frame's address. It goes to Huddle only as
// the Blazor circuit's access token (moved off the socket's URL into a header on arrival), so the
// session needs no cookie and no web storage inside the chart's frame.
(() => {
  const handle = /^#hw_[A-Za-z0-9_-]{20,80}$/.test(location.hash) ? location.hash.slice(1) : '';
  Blazor.start({
    circuit: {
      configureSignalR: builder => builder.withUrl('_blazor', { accessTokenFactory: () => handle }),
    },
  });
  // A link to the rest of Huddle leaves the chart's frame for a window of its own (Huddle's own
  // sign-in there): the widget never becomes another page, or another patient.
  document.addEventListener('click', event => {
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (link && link.origin === location.origin && !link.pathname.startsWith('/w/')) {
      link.target = '_blank';
      link.rel = 'noopener';
    }
  }, true);
})();
