// Tells the server which messages of a chat panel were actually shown: a message counts once at least
// half of it has been inside the viewport (and its list's scroll box) while the tab was visible, or, for a
// message taller than that box can ever half show (a long one on a phone), once it fills half the box. The
// newest such seq is reported, a few times a second at most.
export function watch(marker, dotnet) {
    const panel = marker.closest('[data-testid=chat-panel]');
    if (!panel) {
        return null;
    }

    const visible = new Set();
    let shown = 0;
    let timer = null;
    const flush = () => {
        timer = null;
        if (document.visibilityState !== 'visible') {
            return;
        }

        let newest = shown;
        for (const li of visible) {
            newest = Math.max(newest, Number(li.dataset.seq) || 0);
        }

        if (newest > shown) {
            shown = newest;
            dotnet.invokeMethodAsync('Shown', newest).catch(() => { });
        }
    };
    const soon = () => {
        if (timer === null) {
            timer = setTimeout(flush, 300);
        }
    };
    // The scroll box the messages show in: a message never shows taller than it.
    const log = panel.querySelector('.chat-log');
    const shownEnough = entry => {
        if (!entry.isIntersecting) {
            return false;
        }

        const box = Math.min(log?.clientHeight || Infinity, entry.rootBounds?.height || Infinity);
        return entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= box / 2;
    };
    const seen = new IntersectionObserver(entries => {
        for (const entry of entries) {
            if (shownEnough(entry)) {
                visible.add(entry.target);
            } else {
                visible.delete(entry.target);
            }
        }

        soon();
    }, { threshold: Array.from({ length: 21 }, (_, i) => i / 20) });
    const observeAll = () => panel.querySelectorAll('li[data-seq]').forEach(li => seen.observe(li));
    // Messages arrive live and earlier ones load on request: watch each new one too.
    const added = new MutationObserver(observeAll);
    added.observe(panel, { childList: true, subtree: true });
    observeAll();
    const onVisibility = () => soon();
    document.addEventListener('visibilitychange', onVisibility);
    return {
        dispose: () => {
            seen.disconnect();
            added.disconnect();
            document.removeEventListener('visibilitychange', onVisibility);
            if (timer !== null) {
                clearTimeout(timer);
            }
        },
    };
}
