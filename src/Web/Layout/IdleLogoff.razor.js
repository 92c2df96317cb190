// Idle logoff: notes the person's input (a key, a tap, a click, the wheel) and, at most every `every`
// ms (30 s, or a third of the idle time) when there was some, keeps the session's cookie fresh and
// tells the page's circuit. A team-room display has no input: it does both unasked.
export function start(dotnet, display, every) {
    let input = false;
    let leaving = false;
    let alive = null;
    const note = () => { input = true; };
    // Signing out: no more reports, and the one in flight is dropped. Its answer renews the cookie, so
    // arriving after the sign-out's answer it would bring back the session just ended.
    const signingOut = (event) => {
        if (event.target instanceof HTMLFormElement && new URL(event.target.action, location.href).pathname === '/signout') {
            leaving = true;
            alive?.abort();
        }
    };
    document.addEventListener('submit', signingOut, { capture: true });
    const kinds = ['keydown', 'pointerdown', 'wheel', 'touchstart'];
    for (const kind of kinds) {
        window.addEventListener(kind, note, { capture: true, passive: true });
    }

    const tick = () => {
        if (leaving || (!display && !input)) {
            return;
        }

        input = false;
        alive = new AbortController();
        fetch('/session/alive', { method: 'POST', credentials: 'same-origin', signal: alive.signal }).catch(() => { });
        dotnet.invokeMethodAsync('Active').catch(() => { });
    };
    // The page's start counts as the person's doing: the cookie's life starts again with the circuit's.
    input = true;
    tick();
    const timer = setInterval(tick, every);
    return {
        stop() {
            clearInterval(timer);
            document.removeEventListener('submit', signingOut, { capture: true });
            for (const kind of kinds) {
                window.removeEventListener(kind, note, { capture: true });
            }
        },
        // For a test: report now what the next tick would.
        flush: tick,
    };
}
