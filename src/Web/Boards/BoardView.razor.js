// Keeps a keyboard user's focus on the card they just moved from its menu.

// Focuses the menu button of card `cardId` once the page shows it at `index` in lane `laneId`, giving
// up after `timeoutMs`. Waiting for the place, not just the card, matters within a lane: the card is
// on the page all along, first where it was (until the board's change arrives and the drop container
// refreshes), and the element that held focus may by then show the card that took its old place.
// Until the deadline it also keeps the focus there if a later render (the drop container's refresh,
// the board's change arriving after the menu's own) replaces the button it gave focus to: the focus
// would otherwise fall to the page's body and the next Enter would do nothing. It never takes the
// focus back from anything the user moved it to.
export function focusCardWhenAt(laneId, cardId, index, timeoutMs = 5000) {
    const deadline = performance.now() + timeoutMs;
    const lane = `[data-testid=lane][data-lane-id="${CSS.escape(laneId)}"] [data-testid=card]`;
    let focused = null;
    const attempt = () => {
        if (focused !== null && document.activeElement !== focused) {
            // A removed element cannot hold the focus, so the body holding it means the render took it.
            const lost = !focused.isConnected && (document.activeElement === null || document.activeElement === document.body);
            if (!lost) {
                return; // The user moved on (into the menu, or elsewhere).
            }

            focused = null;
        }

        if (focused === null) {
            const card = document.querySelectorAll(lane)[index];
            const button = card?.dataset.cardId === cardId ? card.querySelector('[data-testid=card-menu] button') : null;
            if (button) {
                button.focus();
                button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
                focused = button;
            }
        }

        if (performance.now() < deadline) {
            requestAnimationFrame(attempt);
        }
    };
    attempt();
}

// On the wall (a TV nobody scrolls), writes "+N more" under each lane whose cards the screen cuts
// off, N being the cards not wholly visible, and under each side panel (action items, notes) whose
// items it cuts off. Recounts on any change to the board (cards added or moved, a cue itself taking
// room), on a resize of the board or of any card or line (a web font arriving late makes lines taller
// without changing the board's size or its DOM) and when fonts finish loading, at most once a frame. Only the cue's own text and data-count are written:
// Blazor renders the cue empty and never puts anything in it.
export function watchLaneOverflow(board) {
    let frame = 0;
    const count = (zone, items, counted, cue) => {
        if (!zone || !cue) {
            return;
        }

        // What the cue counts is not shown at all: a card or a line cut in half (or a heading whose notes
        // are all below the edge) reads as a glitch from across the room.
        const bottom = zone.getBoundingClientRect().bottom + 0.5;
        let hidden = 0;
        for (const item of zone.querySelectorAll(items)) {
            item.style.visibility = '';
            if (item.getBoundingClientRect().bottom > bottom) {
                item.style.visibility = 'hidden';
                hidden += item.matches(counted) ? 1 : 0;
            }
        }

        // A heading whose items are all cut off goes with them ("Look ahead" over nothing read as a blank note).
        let shownAfter = false;
        let countedAfter = 0;
        for (const item of [...zone.querySelectorAll(items)].reverse()) {
            if (item.matches(counted)) {
                countedAfter++;
                shownAfter ||= item.style.visibility !== 'hidden';
            } else {
                if (countedAfter > 0 && !shownAfter) {
                    item.style.visibility = 'hidden';
                }

                shownAfter = false;
                countedAfter = 0;
            }
        }

        const text = hidden > 0 ? `+${hidden} more` : '';
        if (cue.textContent !== text) {
            cue.textContent = text;
            cue.dataset.count = String(hidden);
        }
    };
    const update = () => {
        frame = 0;
        // Observing an element already observed is a no-op; a removed element drops out by itself.
        for (const item of board.querySelectorAll('[data-testid=card], .board__side .panel__items > *')) {
            resized.observe(item);
        }

        for (const lane of board.querySelectorAll('[data-testid=lane]')) {
            count(lane.querySelector('.lane__cards'), '[data-testid=card]', '[data-testid=card]', lane.querySelector('[data-testid=lane-more]'));
        }

        for (const panel of board.querySelectorAll('.board__side .panel')) {
            count(panel.querySelector('.panel__items'), '.panel__items > *', '[data-testid=action-item], [data-testid=note]', panel.querySelector('[data-testid=panel-more]'));
        }
    };
    const schedule = () => { frame ||= requestAnimationFrame(update); };
    const resized = new ResizeObserver(schedule);
    resized.observe(board);
    const changed = new MutationObserver(schedule);
    changed.observe(board, { childList: true, subtree: true, characterData: true });
    window.addEventListener('resize', schedule);
    document.fonts?.addEventListener('loadingdone', schedule);
    update();
    return {
        dispose() {
            resized.disconnect();
            changed.disconnect();
            window.removeEventListener('resize', schedule);
            document.fonts?.removeEventListener('loadingdone', schedule);
            cancelAnimationFrame(frame);
        },
    };
}

// On a phone the lanes scroll sideways one at a time, and the row they sit in was as tall as the tallest
// lane: under a short lane in view, an empty band (100 px on the demo board) before the action items.
// Below 960 px the row is kept as tall as the lane in view (the one whose left edge is nearest the row's),
// refitted as the row scrolls, as cards come and go, and as the window changes. Wider, nothing is set.
export function fitLanesToView(board) {
    const narrow = matchMedia('(max-width: 959.98px)');
    let frame = 0;
    const fit = () => {
        frame = 0;
        const row = board.querySelector('.lanes');
        if (!row) {
            return;
        }

        for (const lane of row.querySelectorAll('[data-testid=lane]')) {
            resized.observe(lane);
        }

        if (!narrow.matches) {
            row.style.height = '';
            return;
        }

        const left = row.getBoundingClientRect().left;
        let shown = null;
        let nearest = Infinity;
        for (const lane of row.querySelectorAll('[data-testid=lane]')) {
            const distance = Math.abs(lane.getBoundingClientRect().left - left);
            if (distance < nearest) {
                [shown, nearest] = [lane, distance];
            }
        }

        if (shown) {
            const style = getComputedStyle(row);
            const height = `${Math.ceil(shown.offsetHeight + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom))}px`;
            if (row.style.height !== height) {
                row.style.height = height;
            }
        }
    };
    const schedule = () => { frame ||= requestAnimationFrame(fit); };
    const resized = new ResizeObserver(schedule);
    const changed = new MutationObserver(schedule);
    changed.observe(board, { childList: true, subtree: true });
    board.addEventListener('scroll', schedule, { capture: true, passive: true });
    narrow.addEventListener('change', schedule);
    fit();
    return {
        dispose() {
            resized.disconnect();
            changed.disconnect();
            board.removeEventListener('scroll', schedule, { capture: true });
            narrow.removeEventListener('change', schedule);
            cancelAnimationFrame(frame);
            board.querySelector('.lanes')?.style.removeProperty('height');
        },
    };
}
