// Idle logoff: notes the person's input (a key, a tap, a click, the wheel) and, at most every `every`
// ms (30 s, or a third of the idle time) when there was some, keeps the session's cookie fresh and
// tells the page's circuit. A team-room display has no input: it does both unasked.
export function start(dotnet, display, every) {
    let input = false;
    const note = () => { input = true; };
    const kinds = ['keydown', 'pointerdown', 'wheel', 'touchstart'];
    for (const kind of kinds) {
        window.addEventListener(kind, note, { capture: true, passive: true });
    }

    const tick = () => {
        if (!display && !input) {
            return;
        }

        input = false;
        fetch('/session/alive', { method: 'POST', credentials: 'same-origin' }).catch(() => { });
        dotnet.invokeMethodAsync('Active').catch(() => { });
    };
    // The page's start counts as the person's doing: the cookie's life starts again with the circuit's.
    input = true;
    tick();
    const timer = setInterval(tick, every);
    return {
        stop() {
            clearInterval(timer);
            for (const kind of kinds) {
                window.removeEventListener(kind, note, { capture: true });
            }
        },
        // For a test: report now what the next tick would.
        flush: tick,
    };
}
